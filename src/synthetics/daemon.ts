import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../errors.js';
import type { ProbeHistory } from './history.js';
import { DaemonMetrics, probeExposition } from './metrics.js';
import { selectFlows, type PreparedSuite } from './prepare-suite.js';
import { runFlow } from './run-flow.js';
import { suiteDigest } from './suite-info.js';
import { startScheduler, type SchedulerClock } from './scheduler.js';
import type { FlowResult } from './results.js';

export interface DaemonOptions {
  prepared: PreparedSuite;
  /** The suite file's bytes, for the SHA-256 in `syntheticsctl_suite_info`. */
  suiteText: string | Buffer;
  host?: string;
  port?: number;
  history?: ProbeHistory;
  select?: { flows?: string[]; tags?: string[] };
  clock?: SchedulerClock;
  random?: () => number;
  /** Called after each scheduled or /probe result (logging). */
  onResult?: (result: FlowResult) => void;
  onError?: (message: string) => void;
}

export interface ProbeDaemon {
  url: string;
  port: number;
  sha256: string;
  /** Stops scheduling, finishes probes in flight, records them, then closes the server and the history. */
  close(): Promise<void>;
}

/**
 * `syntheticsctl run`: flows on their interval (random start offset), results recorded in the history, and an
 * HTTP server with `/metrics` (last results, counters, suite info), `/probe?flow=NAME` (run now, answer
 * blackbox-style) and `/healthz`. A failing target never stops the daemon: it becomes a failed result.
 */
export async function startProbeDaemon(options: DaemonOptions): Promise<ProbeDaemon> {
  const { prepared, history } = options;
  const sha256 = suiteDigest(options.suiteText);
  const metrics = new DaemonMetrics(prepared.suite.metadata.name, sha256);
  const inFlight = new Set<Promise<unknown>>();
  const runAndRecord = (flow: string): Promise<FlowResult> => {
    const p = runFlow(prepared, flow).then((result) => {
      metrics.observe(result);
      history?.record(result);
      options.onResult?.(result);
      return result;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };
  const flows = selectFlows(prepared.suite, options.select ?? {});
  const scheduler = startScheduler(
    flows.map((f) => ({ name: f.name, intervalMs: f.interval ?? prepared.suite.spec.interval })),
    async (name) => {
      try {
        await runAndRecord(name);
      } catch (err) {
        options.onError?.(`flow ${name}: ${errorMessage(err)}`);
      }
    },
    { clock: options.clock, random: options.random },
  );
  const server = http.createServer(
    (req, res) =>
      void serve(req, res, { prepared, metrics, runAndRecord }).catch((err: unknown) => {
        options.onError?.(`HTTP ${req.url ?? ''}: ${errorMessage(err)}`);
        if (!res.headersSent) res.writeHead(500).end('internal error\n');
      }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9115, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    sha256,
    async close() {
      await scheduler.stop();
      await Promise.allSettled([...inFlight]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      history?.close();
    },
  };
}

interface ServeContext {
  prepared: PreparedSuite;
  metrics: DaemonMetrics;
  runAndRecord: (flow: string) => Promise<FlowResult>;
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, ctx: ServeContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return void res.writeHead(405, { allow: 'GET' }).end('method not allowed\n');
  if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  if (url.pathname === '/metrics') {
    const text = await ctx.metrics.registry.metrics();
    return void res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType }).end(text);
  }
  if (url.pathname === '/probe') {
    const flow = url.searchParams.get('flow') ?? '';
    if (!ctx.prepared.suite.spec.flows.some((f) => f.name === flow)) {
      const names = ctx.prepared.suite.spec.flows.map((f) => f.name).join(', ');
      return void res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`unknown or missing flow=${JSON.stringify(flow)}; flows: ${names}\n`);
    }
    const { text, contentType } = await probeExposition(await ctx.runAndRecord(flow));
    return void res.writeHead(200, { 'content-type': contentType }).end(text);
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /probe?flow=NAME, /healthz\n');
}
