import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { HttpError } from './http-error.js';

/** Beside this module in src/ and, after `npm run build` (scripts/copy-assets.mjs), in dist/. */
const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The chart library's files; everything is served locally so the dashboard works offline. */
const vendorFiles = new Set(['uPlot.esm.js', 'uPlot.min.css']);

/** Built packages carry a copy in assets/vendor; a source checkout reads uplot from node_modules. */
function vendorPath(file: string): string {
  const copied = join(assetsDir, 'vendor', file);
  if (existsSync(copied)) return copied;
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  return join(uplotDir, 'dist', file);
}

async function serveFile(path: string): Promise<Response> {
  const body = await readFile(path).catch(() => {
    throw new HttpError(404, 'E_NOT_FOUND', 'no such asset');
  });
  const type = contentTypes[extname(path)] ?? 'application/octet-stream';
  return new Response(body, { headers: { 'content-type': type, 'cache-control': 'no-cache' } });
}

/** `/` (the Canary Release Overview) and `/assets/*`. File names are a single safe segment: no traversal. */
export function dashboardRoutes(): Hono {
  const app = new Hono();
  app.get('/', () => serveFile(join(assetsDir, 'index.html')));
  app.get('/assets/vendor/:file', (c) => {
    const file = c.req.param('file');
    if (!vendorFiles.has(file)) throw new HttpError(404, 'E_NOT_FOUND', 'no such asset');
    return serveFile(vendorPath(file));
  });
  app.get('/assets/:file{[a-z0-9][a-z0-9.-]*\\.(?:js|css|svg|png)}', (c) =>
    serveFile(join(assetsDir, c.req.param('file'))),
  );
  return app;
}
