import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ControllerView } from '../controller/view.js';
import { limitRequestBody } from './body-limit.js';
import { HttpError, errorResponse } from './http-error.js';
import type { ServerLogger } from './logger.js';
import { analysisRoutes } from './routes-analysis.js';
import { dashboardRoutes } from './routes-dashboard.js';
import { eventStreams, type EventStreams } from './routes-events.js';
import { presentedView } from './present.js';
import { otlpRoutes } from './routes-otlp.js';
import { rolloutRoutes } from './routes-rollouts.js';
import type { OtlpReceiver } from '../sources/otlp/receiver.js';

export interface AppOptions {
  view: ControllerView;
  registry: Registry;
  token?: string;
  logger: ServerLogger;
  /** Accept only Host headers naming loopback (defends a loopback listener against DNS rebinding). */
  loopbackOnly: boolean;
  heartbeatMs: number;
  /** Past rollouts (`adaptive-canary dashboard`): no manual actions at all — they answer 405, the page hides them. */
  readOnly?: boolean;
  /** Accept OTLP/HTTP metrics at `POST /v1/metrics` into this receiver (token required off loopback). */
  otlp?: OtlpReceiver | undefined;
}

// The dashboard loads only its own files and talks only to this origin; nothing inline, nothing framed.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const loopbackHost = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/i;

/** The controller's HTTP surface as a Hono app: testable in-process with `app.request()`. */
export function createApp(opts: AppOptions): { app: Hono; events: EventStreams } {
  const app = new Hono();
  const view = presentedView(opts.view);
  const events = eventStreams(view, opts.heartbeatMs);
  app.use(async (c, next) => {
    if (opts.loopbackOnly && !loopbackHost.test(c.req.header('host') ?? '')) {
      throw new HttpError(403, 'E_HOST_NOT_ALLOWED', 'this controller only answers requests addressed to localhost');
    }
    await next();
    c.header('Content-Security-Policy', contentSecurityPolicy);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });
  // The API's bodies are a few bytes; the OTLP receiver (`/v1/metrics`) applies its own, larger limit.
  app.use('/api/*', limitRequestBody());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', async (c) =>
    c.body(await opts.registry.metrics(), 200, { 'content-type': opts.registry.contentType }),
  );
  app.get('/api/v1/info', (c) => c.json({ data: { readOnly: opts.readOnly === true } }));
  app.route('/api/v1/rollouts', rolloutRoutes(view, opts.readOnly ? { readOnly: true } : { token: opts.token }));
  app.route('/api/v1/analysis', analysisRoutes(opts.view));
  app.route('/api/v1/events', events.routes);
  if (opts.otlp)
    app.route('/', otlpRoutes({ receiver: opts.otlp, token: opts.token, requireToken: !opts.loopbackOnly }));
  app.route('/', dashboardRoutes());
  app.notFound((c) =>
    c.json({ error: { code: 'E_NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((err, c) =>
    errorResponse(err, c, (bug) => opts.logger.error({ err: bug, path: c.req.path }, 'request failed')),
  );
  return { app, events };
}
