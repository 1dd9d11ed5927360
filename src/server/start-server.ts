import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Registry } from 'prom-client';
import type { ControllerView } from '../controller/view.js';
import { UnreachableError } from '../errors.js';
import { createApp } from './app.js';
import { isLoopback, parseListen, urlFor } from './listen-address.js';
import { silentLogger, type ServerLogger } from './logger.js';
import type { OtlpReceiver } from '../sources/otlp/receiver.js';

export interface ServerOptions {
  /** `HOST:PORT`; default `127.0.0.1:8080`; port 0 picks a free port. */
  listen?: string;
  view: ControllerView;
  /** Served at `/metrics`. */
  registry: Registry;
  /** Bearer token for promote/abort/pause/resume. Without one those endpoints answer 403. */
  token?: string;
  logger?: ServerLogger;
  /** SSE heartbeat period; default 15 s. */
  heartbeatMs?: number;
  /** No manual actions (past rollouts from the evidence): their endpoints answer 405. */
  readOnly?: boolean;
  /** Accept OTLP/HTTP metrics at `POST /v1/metrics` (docs/otlp.md). */
  otlp?: OtlpReceiver | undefined;
}

export interface RunningServer {
  /** Dashboard URL, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  port: number;
  /** Ends live event streams and open connections, then stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the HTTP API, `/metrics`, server-sent events and the dashboard for a running controller.
 * @example
 * const server = await startServer({ listen: '127.0.0.1:0', view, registry, token });
 * io.stdout.write(`dashboard: ${server.url}\n`);
 * await server.close();
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(opts.listen ?? '127.0.0.1:8080');
  const logger = opts.logger ?? silentLogger;
  const { app, events } = createApp({
    view: opts.view,
    registry: opts.registry,
    token: opts.token || undefined,
    logger,
    loopbackOnly: isLoopback(host),
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    readOnly: opts.readOnly === true,
    otlp: opts.otlp,
  });
  const server = serve({ fetch: app.fetch, hostname: host, port }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(new UnreachableError(`listen ${host}:${port}`, err.message, { cause: err })));
  });
  const actual = (server.address() as AddressInfo).port;
  const url = urlFor(host, actual);
  logger.info({ url, manualActions: Boolean(opts.token) && !opts.readOnly }, 'dashboard and API listening');
  return {
    url,
    port: actual,
    close: async () => {
      events.closeAll();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Streams ended above; anything still open after a grace period is cut.
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
    },
  };
}
