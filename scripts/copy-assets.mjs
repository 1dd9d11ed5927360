// tsc compiles TypeScript only; the dashboard's static files and the chart library they use are copied into
// dist/ here, so the built package serves its dashboard offline without node_modules/uplot (a devDependency).
// The vendored OTLP .proto files are read at run time by src/sources/otlp/proto-root.ts.
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src/server/assets');
const to = join(root, 'dist/server/assets');
cpSync(from, to, { recursive: true });
const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
mkdirSync(join(to, 'vendor'), { recursive: true });
for (const file of ['dist/uPlot.esm.js', 'dist/uPlot.min.css', 'LICENSE']) {
  cpSync(join(uplot, file), join(to, 'vendor', file === 'LICENSE' ? 'uPlot.LICENSE' : file.slice(5)));
}
cpSync(join(root, 'src/sources/otlp/proto'), join(root, 'dist/sources/otlp/proto'), { recursive: true });
