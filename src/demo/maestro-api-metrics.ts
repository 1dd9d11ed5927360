import { Counter, Histogram, Registry } from 'prom-client';
import { HTTP_DURATION, HTTP_REQUESTS } from '../metric-names.js';

/** Latency bounds of the whole project (docs/interfaces.md, "Replay format"), in seconds for Prometheus. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Each service instance owns its Registry, so two versions in one process never share series. */
export class MaestroMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'code' | 'version'>;
  private readonly duration: Histogram<'method' | 'route' | 'code' | 'version'>;

  constructor(readonly version: string) {
    const labelNames = ['method', 'route', 'code', 'version'] as const;
    this.requests = new Counter({
      name: HTTP_REQUESTS,
      help: 'HTTP requests served',
      labelNames,
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: HTTP_DURATION,
      help: 'Time to serve an HTTP request',
      labelNames,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [this.registry],
    });
  }

  observe(method: string, route: string, code: number, seconds: number): void {
    const labels = { method, route, code: String(code), version: this.version };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
