import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { loadCrdSchema } from './crd-validator.js';
import { checkConfigMap, checkEvent, metaProblems } from './kube-builtin-checks.js';
import { admit, create, notFound, patch, replace, StatusError, type ResourceType } from './kube-resources.js';
import { KubeStore, type KubeObject } from './kube-store.js';
import { serveWatch } from './kube-watch.js';

/**
 * An in-test Kubernetes API server speaking the real HTTP API for what adaptive-canary uses: Rollouts
 * (get/list/watch/merge-patch, status subresource, validated against the upstream CRD schema), the Experiments an
 * `experiment` step creates (likewise validated against their upstream CRD), Leases
 * (get/create/update with resourceVersion conflicts), core/v1 ConfigMaps (the cluster evidence: create, list by
 * label, PUT with resourceVersion, the 1 MiB limit) and events.k8s.io/v1 Events (create with the strict v1
 * validation), plus injectable faults. It stands in for a cluster in the tests; see docs/kubernetes.md.
 */
export interface KubeApiServerOptions {
  /** Bearer tokens clients may send (default ["test-token"]); faults can target one token (one replica). */
  tokens?: string[];
  /**
   * false = the Rollout CRD has no status subresource: /status answers 404 (kubectl then patches the main resource).
   */
  statusSubresource?: boolean;
}

export type FaultStatus = 404 | 409 | 410 | 429 | 500 | 503 | 'reset';
export interface Fault {
  method?: string;
  /** Substring or pattern of the request path (query excluded). */
  path?: string | RegExp;
  status: FaultStatus;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Only requests with this bearer token (one client, e.g. a partitioned replica). */
  token?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}

const ROLLOUT_CRD = fileURLToPath(new URL('../fixtures/argo-rollouts/rollout-crd.yaml', import.meta.url));
const EXPERIMENT_CRD = fileURLToPath(new URL('../fixtures/argo-rollouts/experiment-crd.yaml', import.meta.url));
// /apis/<group>/<version>/… for named groups, /api/v1/… for the core group ('').
const PATH_RE = /^\/(?:apis\/([^/]+)|api)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/(status))?$/;

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly warnings: string[] = [];
  readonly rollouts: ResourceType;
  readonly experiments: ResourceType;
  readonly leases: ResourceType;
  readonly configMaps: ResourceType;
  readonly events: ResourceType;
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly watches = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private rv = 1000;
  private server!: Server;
  url = '';

  private constructor(private readonly opts: KubeApiServerOptions) {
    const clock = { next: () => ++this.rv };
    this.rollouts = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'rollouts',
      kind: 'Rollout',
      store: new KubeStore(clock),
      statusSubresource: opts.statusSubresource ?? true,
      schema: loadCrdSchema(ROLLOUT_CRD),
      check: metaProblems, // the 256 KiB annotation budget the state annotation lives in
    };
    this.experiments = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'experiments',
      kind: 'Experiment',
      store: new KubeStore(clock),
      statusSubresource: false, // upstream's Experiment CRD declares no subresources
      schema: loadCrdSchema(EXPERIMENT_CRD),
      check: metaProblems,
    };
    this.leases = {
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      kind: 'Lease',
      store: new KubeStore(clock),
      statusSubresource: false,
      check: checkLease,
    };
    this.configMaps = {
      group: '',
      version: 'v1',
      plural: 'configmaps',
      kind: 'ConfigMap',
      store: new KubeStore(clock),
      statusSubresource: false,
      check: checkConfigMap,
    };
    this.events = {
      group: 'events.k8s.io',
      version: 'v1',
      plural: 'events',
      kind: 'Event',
      store: new KubeStore(clock),
      statusSubresource: false,
      check: checkEvent,
    };
  }

  private get types(): ResourceType[] {
    return [this.rollouts, this.experiments, this.leases, this.configMaps, this.events];
  }

  static async start(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const s = new KubeApiServer(opts);
    s.server = createServer((req, res) => void s.handle(req, res));
    s.server.on('connection', (sock) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** A normal kubeconfig (cluster, user with a bearer token, context) pointing at this server. */
  kubeConfig(namespace = 'default', token = this.opts.tokens?.[0] ?? 'test-token'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test', token }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace }],
      currentContext: 'test',
    });
    return kc;
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Close every open watch connection, as an API server restart or a load balancer timeout would. */
  dropWatches(): void {
    for (const res of this.watches) res.destroy();
    this.watches.clear();
  }

  /** Forget event history: watches resuming from an older resourceVersion get 410 Gone. */
  compact(): void {
    for (const t of this.types) t.store.compact(this.rv);
  }

  /** Seed a Rollout with its status (as if Argo had reconciled it); validated against the CRD. */
  seedRollout(obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    copy.metadata.generation ??= 1;
    this.warnings.push(...admit(this.rollouts, copy));
    return this.rollouts.store.put(copy, 'ADDED');
  }

  /** Change a Rollout without going through HTTP (a human's kubectl or the Argo controller). */
  patchRollout(namespace: string, name: string, body: unknown, subresource: 'status' | 'main' = 'main'): KubeObject {
    return patch(this.rollouts, namespace, name, body, { status: subresource === 'status', warnings: this.warnings });
  }

  /** Create or change an Experiment as the Argo controller would (validated against the Experiment CRD). */
  putExperiment(obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    const prev = this.experiments.store.get(copy.metadata.namespace ?? 'default', copy.metadata.name);
    this.warnings.push(...admit(this.experiments, copy));
    return this.experiments.store.put(copy, prev ? 'MODIFIED' : 'ADDED');
  }

  getRollout(namespace: string, name: string): KubeObject | undefined {
    return this.rollouts.store.get(namespace, name);
  }

  /** Patches received (method PATCH), in order, for exact comparison with kubectl's. */
  patches(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  async close(): Promise<void> {
    this.dropWatches();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
    });
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const fault = this.takeFault(req.method ?? 'GET', url.pathname, token);
    if (fault === 'reset') return void req.socket.destroy();
    try {
      if (!token || !(this.opts.tokens ?? ['test-token']).includes(token))
        throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      if (fault !== undefined) throw new StatusError(fault, faultReason(fault), `injected fault ${fault}`);
      this.route(req.method ?? 'GET', url, body, contentType, res);
    } catch (err) {
      const e = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
      send(res, e.code, e.toJSON(), e.code === 429 ? { 'retry-after': '0' } : {});
    }
  }

  private route(method: string, url: URL, body: unknown, contentType: string | undefined, res: ServerResponse): void {
    const m = PATH_RE.exec(url.pathname);
    const rt = m && this.types.find((r) => r.group === (m[1] ?? '') && r.version === m[2] && r.plural === m[4]);
    if (!m || !rt)
      throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const [, , , ns, , name, sub] = m;
    if (sub === 'status' && !rt.statusSubresource)
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const warnings: string[] = [];
    const ok = (status: number, obj: unknown): void => {
      this.warnings.push(...warnings);
      send(res, status, obj, warnings.length ? { warning: warnings.map((w) => `299 - "${w}"`).join(', ') } : {});
    };
    if (!name) {
      if (method === 'POST' && ns) return ok(201, create(rt, ns, body, warnings));
      if (method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', `${method} not allowed`);
      if (url.searchParams.get('watch') === 'true') return serveWatch(rt, ns, url.searchParams, res, this.watches);
      const items = rt.store.list(ns, url.searchParams.get('labelSelector') ?? undefined);
      return ok(200, {
        apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
        kind: `${rt.kind}List`,
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }
    if (!ns) throw new StatusError(404, 'NotFound', 'namespaced resource needs a namespace');
    if (method === 'GET') {
      const obj = rt.store.get(ns, name);
      if (!obj) throw notFound(rt, name);
      return ok(200, obj);
    }
    if (method === 'PUT') return ok(200, replace(rt, ns, name, body, warnings));
    if (method === 'PATCH') {
      if (contentType?.split(';')[0]?.trim() !== 'application/merge-patch+json')
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media ` +
            `types include: application/merge-patch+json (got ${contentType})`,
        );
      return ok(200, patch(rt, ns, name, body, { status: sub === 'status', warnings }));
    }
    if (method === 'DELETE') {
      const obj = rt.store.get(ns, name);
      if (!obj) throw notFound(rt, name);
      rt.store.put(obj, 'DELETED');
      return ok(200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    throw new StatusError(405, 'MethodNotAllowed', `${method} not allowed`);
  }

  private takeFault(method: string, path: string, token: string | undefined): FaultStatus | undefined {
    const f = this.faults.find(
      (x) =>
        x.left > 0 &&
        (!x.method || x.method === method) &&
        (!x.token || x.token === token) &&
        (!x.path || (typeof x.path === 'string' ? path.includes(x.path) : x.path.test(path))),
    );
    if (!f) return undefined;
    f.left--;
    return f.status;
  }
}

// metav1.MicroTime is RFC 3339 with exactly six fractional digits; the real API server rejects other forms.
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
function checkLease(obj: KubeObject): string[] {
  const spec = obj.spec ?? {};
  const problems = ['acquireTime', 'renewTime']
    .filter((k) => spec[k] !== undefined && !(typeof spec[k] === 'string' && MICRO_TIME.test(spec[k])))
    .map((k) => `spec.${k}: invalid MicroTime ${JSON.stringify(spec[k])}`);
  if (spec.leaseDurationSeconds !== undefined && !Number.isInteger(spec.leaseDurationSeconds))
    problems.push('spec.leaseDurationSeconds: must be an integer');
  return problems;
}

function faultReason(code: number): string {
  return (
    (
      {
        404: 'NotFound',
        409: 'Conflict',
        410: 'Expired',
        429: 'TooManyRequests',
        500: 'InternalError',
        503: 'ServiceUnavailable',
      } as Record<number, string>
    )[code] ?? 'Unknown'
  );
}

function send(res: ServerResponse, status: number, obj: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(obj));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
