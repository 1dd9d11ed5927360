import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decideFault, HEALTHY, MAX_CHAOS_SECONDS, type MaestroFaults } from './maestro-api-faults.js';
import { MaestroMetrics } from './maestro-api-metrics.js';
import { startMaestroOtel, type MaestroOtel, type OtelExportOptions } from './maestro-api-otel.js';

/**
 * `maestro-api`, the sample service of the demo and the tests: login → bearer token, create/read orders (JSON),
 * `/healthz`, `/version`, Prometheus `/metrics`, and fault switches for a misbehaving canary (see
 * maestro-api-faults.ts). `POST /admin/chaos?seconds=N` (bearer token required) turns chaos on for a bounded
 * time; `DELETE /admin/chaos` ends it.
 */
export interface MaestroApiOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  version?: string;
  faults?: Partial<MaestroFaults>;
  /** [0, 1) source for fault decisions; injectable for deterministic tests. */
  random?: () => number;
  /** Epoch milliseconds (chaos windows). */
  now?: () => number;
  /** Also export OpenTelemetry metrics over OTLP/HTTP (maestro-api-otel.ts). */
  otel?: OtelExportOptions;
}

export interface MaestroApi {
  url: string;
  port: number;
  version: string;
  metrics: MaestroMetrics;
  /** Current switches. */
  faults(): MaestroFaults;
  /** Changes some switches at run time (the demo turns a canary bad mid-rollout). */
  setFaults(partial: Partial<MaestroFaults>): void;
  close(): Promise<void>;
}

interface Order {
  id: string;
  item: string;
  quantity: number;
  status: 'created';
  user: string;
  version: string;
  createdAt: string;
}

const MAX_BODY = 64 * 1024;
// Bounded stores keep memory flat however long a demo or benchmark runs.
const MAX_ORDERS = 10_000;
const MAX_SESSIONS = 10_000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts one version of the sample service on loopback (by default) and resolves once it listens.
 *
 * @example
 * const stable = await startMaestroApi({ version: '1.4.0' });
 * const canary = await startMaestroApi({ version: '1.5.0', faults: { errorRate: 0.05 } });
 * canary.setFaults({ latencyMs: 40, tailLatencyMs: 400 });
 */
export async function startMaestroApi(options: MaestroApiOptions = {}): Promise<MaestroApi> {
  const version = options.version ?? '1.0.0';
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let faults: MaestroFaults = { ...HEALTHY, ...options.faults };
  const metrics = new MaestroMetrics(version);
  const otel = options.otel ? await startMaestroOtel(version, options.otel) : undefined;
  const state = { orders: new Map<string, Order>(), sessions: new Map<string, string>(), nextId: 1, served: 0 };
  const app: App = {
    version,
    now,
    random,
    metrics,
    otel,
    state,
    faults: () => faults,
    setChaos: (until) => (faults = { ...faults, chaosUntil: until }),
  };
  const server = http.createServer((req, res) => void handle(app, req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    version,
    metrics,
    faults: () => faults,
    setFaults: (partial) => (faults = { ...faults, ...partial }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Shutting the SDK down exports what was recorded since the last periodic export.
      await otel?.shutdown();
    },
  };
}

interface App {
  version: string;
  now: () => number;
  random: () => number;
  metrics: MaestroMetrics;
  otel: MaestroOtel | undefined;
  state: { orders: Map<string, Order>; sessions: Map<string, string>; nextId: number; served: number };
  faults: () => MaestroFaults;
  setChaos: (until: number) => void;
}

async function handle(app: App, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const t0 = performance.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const route = routeOf(method, url.pathname);
  res.setHeader('x-request-id', randomUUID());
  res.setHeader('x-maestro-version', app.version);
  let status = 500;
  try {
    if (route.startsWith('/api/')) {
      const fault = decideFault(app.faults(), url.pathname, app.now(), app.random, app.state.served++);
      if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.failWith) throw new HttpProblem(fault.failWith, fault.reason ?? 'fault');
    }
    const out = await respond(app, route, req, url);
    status = out.status;
    if (out.text !== undefined) {
      res.writeHead(status, { 'content-type': out.type ?? 'text/plain; charset=utf-8' }).end(out.text);
    } else {
      res
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...out.headers })
        .end(JSON.stringify(out.json));
    }
  } catch (err) {
    status = err instanceof HttpProblem ? err.status : 500;
    const message = err instanceof HttpProblem ? err.message : 'internal error';
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ error: message, version: app.version }));
  } finally {
    if (route !== '/metrics') {
      const seconds = (performance.now() - t0) / 1000;
      app.metrics.observe(method, route, status, seconds);
      app.otel?.observe(method, route, status, seconds);
    }
  }
}

const ROUTES: [string, RegExp, string][] = [
  ['GET', /^\/healthz$/, '/healthz'],
  ['GET', /^\/version$/, '/version'],
  ['GET', /^\/metrics$/, '/metrics'],
  ['POST', /^\/api\/login$/, '/api/login'],
  ['POST', /^\/api\/orders$/, '/api/orders'],
  ['GET', /^\/api\/orders\/[^/]+$/, '/api/orders/:id'],
  ['POST', /^\/admin\/chaos$/, '/admin/chaos'],
  ['DELETE', /^\/admin\/chaos$/, '/admin/chaos'],
];

/** The route template (a bounded label set), or `other`. */
function routeOf(method: string, path: string): string {
  return ROUTES.find(([m, re]) => m === method && re.test(path))?.[2] ?? 'other';
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  type?: string;
  headers?: Record<string, string>;
}

async function respond(app: App, route: string, req: http.IncomingMessage, url: URL): Promise<Reply> {
  const chaos = app.now() < app.faults().chaosUntil;
  switch (`${req.method ?? 'GET'} ${route}`) {
    case 'GET /healthz':
      return { status: 200, json: { status: 'ok', version: app.version, chaos } };
    case 'GET /version':
      return { status: 200, json: { service: 'maestro-api', version: app.version } };
    case 'GET /metrics':
      return { status: 200, text: await app.metrics.registry.metrics(), type: app.metrics.registry.contentType };
    case 'POST /api/login':
      return login(app, await readJson(req));
    case 'POST /api/orders':
      return createOrder(app, authorize(app, req), await readJson(req));
    case 'GET /api/orders/:id':
      return readOrder(app, authorize(app, req), decodeURIComponent(url.pathname.split('/').pop() ?? ''));
    case 'POST /admin/chaos':
      return startChaos(app, authorize(app, req), url);
    case 'DELETE /admin/chaos':
      authorize(app, req);
      app.setChaos(0);
      return { status: 200, json: { chaos: false } };
    default:
      throw new HttpProblem(404, `no route for ${req.method ?? 'GET'} ${url.pathname}`);
  }
}

function login(app: App, body: Record<string, unknown>): Reply {
  const user = body.user;
  if (typeof user !== 'string' || !user || typeof body.password !== 'string' || !body.password) {
    throw new HttpProblem(400, 'user and password are required');
  }
  const token = randomBytes(24).toString('base64url');
  const sessions = app.state.sessions;
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
  sessions.set(token, user);
  return { status: 200, json: { token, user, expiresIn: 3600 } };
}

function authorize(app: App, req: http.IncomingMessage): string {
  const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  const user = m?.[1] ? app.state.sessions.get(m[1]) : undefined;
  if (!user) throw new HttpProblem(401, 'a bearer token from /api/login is required');
  return user;
}

function createOrder(app: App, user: string, body: Record<string, unknown>): Reply {
  const { item, quantity = 1 } = body;
  if (typeof item !== 'string' || !item) throw new HttpProblem(400, 'item is required');
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
    throw new HttpProblem(400, 'quantity must be a positive integer');
  const id = `ord-${app.state.nextId++}`;
  const order: Order = {
    id,
    item,
    quantity,
    status: 'created',
    user,
    version: app.version,
    createdAt: new Date(app.now()).toISOString(),
  };
  const orders = app.state.orders;
  if (orders.size >= MAX_ORDERS) orders.delete(orders.keys().next().value as string);
  orders.set(id, order);
  return { status: 201, json: order, headers: { location: `/api/orders/${id}` } };
}

function readOrder(app: App, user: string, id: string): Reply {
  const order = app.state.orders.get(id);
  if (!order || order.user !== user) throw new HttpProblem(404, `no order ${id}`);
  return { status: 200, json: order };
}

function startChaos(app: App, _user: string, url: URL): Reply {
  const seconds = Number(url.searchParams.get('seconds') ?? '30');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_CHAOS_SECONDS) {
    throw new HttpProblem(400, `seconds must be in (0, ${MAX_CHAOS_SECONDS}]`);
  }
  const until = app.now() + seconds * 1000;
  app.setChaos(until);
  return { status: 202, json: { chaos: true, seconds, until: new Date(until).toISOString(), version: app.version } };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpProblem(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpProblem(400, 'body must be a JSON object');
  }
}
