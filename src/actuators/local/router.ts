import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseRecorder, type RouteVariant } from './recorder.js';
import { WeightedSplit } from './weighted-split.js';

export interface RouterOptions {
  host?: string;
  port?: number;
  stable: URL;
  canary: URL;
  /** Fresh instances of the stable version started with the canary: they get half of the canary's share. */
  baseline?: URL;
  latencyBoundsMs: readonly number[];
  /** Upstream response deadline; slower answers become 504 and count as errors. */
  upstreamTimeoutMs?: number;
}

// Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

function forwardable(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * The embedded weighted reverse proxy: splits new requests between stable and canary by weight, keeps
 * connections to the upstreams alive, and records the status and latency of every response per variant.
 * With a baseline, the canary's share is split in two (exactly half each of every 100 requests of that share):
 * at weight w stable gets 100 − w %, the canary w/2 % and the baseline w/2 %, so canary and baseline see the same
 * load (at 100, after promotion, the canary gets everything).
 * Routing is a synchronous decision per request, so a weight change (rollback included) applies to the very
 * next request while requests already in flight finish on the upstream they started on.
 */
export class WeightedRouter {
  readonly recorder: ResponseRecorder;
  private readonly split = new WeightedSplit();
  /** Of the requests the split gives the canary's share, which go to the baseline (half, when one runs). */
  private readonly halves = new WeightedSplit(0x85ebca6b);
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly server: http.Server;
  private readonly inFlightCount: Record<RouteVariant, number> = { stable: 0, canary: 0, baseline: 0 };
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly opts: RouterOptions) {
    this.recorder = new ResponseRecorder(opts.latencyBoundsMs, opts.baseline !== undefined);
    this.halves.weight = opts.baseline ? 50 : 0;
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
  }

  get weight(): number {
    return this.split.weight;
  }

  setWeight(percent: number): void {
    this.split.weight = percent;
    this.halves.weight = this.opts.baseline && percent < 100 ? 50 : 0;
  }

  inFlight(variant: RouteVariant): number {
    return this.inFlightCount[variant];
  }

  /** Resolves when no request is in flight to the canary (after a rollback, the old requests have finished). */
  canaryDrained(): Promise<void> {
    if (this.inFlightCount.canary === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async listen(): Promise<string> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const variant: RouteVariant = this.split.nextIsCanary()
      ? this.halves.nextIsCanary()
        ? 'baseline'
        : 'canary'
      : 'stable';
    const target =
      variant === 'stable' ? this.opts.stable : variant === 'canary' ? this.opts.canary : this.opts.baseline!;
    const started = performance.now();
    this.inFlightCount[variant] += 1;
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      this.recorder.record(variant, status, performance.now() - started);
      this.inFlightCount[variant] -= 1;
      if (variant === 'canary' && this.inFlightCount.canary === 0) this.releaseDrainWaiters();
    };
    const upstream = http.request(
      {
        agent: this.agent,
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: joinPath(target, req.url ?? '/'),
        headers: { ...forwardable(req.headers), host: target.host, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
        timeout: this.opts.upstreamTimeoutMs ?? 30_000,
      },
      (up) => {
        const status = up.statusCode ?? 502;
        res.writeHead(status, { ...forwardable(up.headers), 'x-canary-variant': variant });
        up.pipe(res);
        res.on('finish', () => finish(status));
        res.on('close', () => finish(res.writableFinished ? status : 0));
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        const status = err.message === 'upstream timeout' ? 504 : 502;
        res.writeHead(status, { 'content-type': 'text/plain', 'x-canary-variant': variant });
        res.end(`${variant} upstream unavailable: ${err.message}\n`);
        finish(status);
      } else {
        res.destroy(err);
        finish(0);
      }
    });
    req.pipe(upstream);
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

function joinPath(target: URL, path: string): string {
  const base = target.pathname.endsWith('/') ? target.pathname.slice(0, -1) : target.pathname;
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}
