/**
 * `npm run bench:sources` — the cost of the metric sources on the same traffic, side by side:
 *  - OTLP (protobuf and JSON bodies, decoded and ingested by the controller's receiver) against the Prometheus
 *    source querying a real Prometheus (Debian 2.42) that scrapes the same counts, at 10, 100 and 1,000
 *    concurrent rollouts. Each rollout is one service (stable + canary), each exporting 4 histogram series
 *    (2 routes × 200/500) per interval. Reported: CPU of this process per analysis interval per rollout
 *    (OTLP: ingest of that interval's exports + collect; Prometheus: the source's queries — Prometheus' own
 *    CPU is not in it, so the anchor is flattered), and OTLP ingest CPU per data point. Ratios are OTLP ÷ Prometheus.
 *  - Memory: 100 rollouts exporting every 250 ms (counters restart now and then) for `--minutes` (default 10;
 *    `--quick` = 1): heap after GC sampled every 30 s must stay flat.
 * Results: bench/results/sources.md (`--quick` prints only).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { decodeMetricsRequest } from '../src/sources/otlp/decode-request.js';
import { otlpTypes } from '../src/sources/otlp/proto-root.js';
import { OtlpReceiver, type OtlpSubscription } from '../src/sources/otlp/receiver.js';
import { PrometheusSource } from '../src/sources/prometheus/prometheus-source.js';
import { startPrometheus } from '../test/support/prometheus-process.js';

const QUICK = process.argv.includes('--quick');
const MINUTES = QUICK ? 1 : Number(argValue('--minutes') ?? 10);
const LEVELS = [10, 100, 1000];
const INTERVALS = 3;
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BOUNDS_MS = BOUNDS_S.map((b) => b * 1000);
const ROUTES = ['/api/login', '/api/orders'];
const CODES = [200, 500];

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Cumulative counts of one service's series (route × code), grown a bit each interval. */
class Traffic {
  readonly startNs = `${Date.now()}000000`;
  readonly series = ROUTES.flatMap((route) => CODES.map((code) => ({ route, code, buckets: BOUNDS_S.map(() => 0) })));
  inf = new Map<string, number>();
  constructor(
    readonly service: string,
    readonly version: string,
  ) {}

  grow(n: number): void {
    for (const s of this.series) {
      const k = s.code === 500 ? Math.ceil(n / 50) : n;
      for (let i = 0; i < s.buckets.length; i++) s.buckets[i]! += i < 3 ? k : i === 3 ? 1 : 0;
    }
  }

  reset(): void {
    for (const s of this.series) s.buckets.fill(0);
  }

  /** Per-bucket (not cumulative) counts with +Inf, for OTLP. */
  private perBucket(b: number[]): number[] {
    return [...b, 0];
  }

  otlp(startNs: string): object {
    const kv = (key: string, v: string | number) => ({
      key,
      value: typeof v === 'string' ? { stringValue: v } : { intValue: v },
    });
    return {
      resource: { attributes: [kv('service.name', this.service), kv('service.version', this.version)] },
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'http.server.request.duration',
              unit: 's',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: this.series.map((s) => {
                  const counts = this.perBucket(s.buckets);
                  return {
                    attributes: [kv('http.route', s.route), kv('http.response.status_code', s.code)],
                    startTimeUnixNano: startNs,
                    timeUnixNano: `${Date.now()}000000`,
                    count: counts.reduce((a, b) => a + b, 0),
                    explicitBounds: BOUNDS_S,
                    bucketCounts: counts,
                  };
                }),
              },
            },
          ],
        },
      ],
    };
  }

  /** Prometheus text lines (default names: http_requests_total, http_request_duration_seconds). */
  exposition(): string {
    const out: string[] = [];
    for (const s of this.series) {
      const l = `service="${this.service}",version="${this.version}",route="${s.route}",code="${s.code}"`;
      let cum = 0;
      s.buckets.forEach((c, i) => {
        cum += c;
        out.push(`http_request_duration_seconds_bucket{${l},le="${BOUNDS_S[i]}"} ${cum}`);
      });
      out.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${cum}`);
      out.push(`http_requests_total{${l}} ${cum}`);
    }
    return out.join('\n');
  }
}

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

async function cpuMsAsync(fn: () => Promise<void>): Promise<number> {
  const c = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

interface Row {
  rollouts: number;
  proto: { perRollout: number; perPoint: number };
  json: { perRollout: number; perPoint: number };
  prometheus: { perRollout: number; wallMs: number };
}

async function level(n: number): Promise<Row> {
  const services = Array.from({ length: n }, (_, i) => [
    new Traffic(`svc-${i}`, '1.4.0'),
    new Traffic(`svc-${i}`, '1.5.0'),
  ]);
  const all = services.flat();
  const exposition = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${all.map((t) => t.exposition()).join('\n')}\n`);
  });
  await new Promise<void>((r) => exposition.listen(0, '127.0.0.1', r));
  const port = (exposition.address() as AddressInfo).port;
  const prom = await startPrometheus([{ job: 'bench', targets: [`127.0.0.1:${port}`] }]);
  const t = otlpTypes().request;
  const result: Row = {
    rollouts: n,
    proto: { perRollout: 0, perPoint: 0 },
    json: { perRollout: 0, perPoint: 0 },
    prometheus: { perRollout: 0, wallMs: 0 },
  };
  try {
    const receivers = { proto: new OtlpReceiver(), json: new OtlpReceiver() };
    const subs: Record<'proto' | 'json', OtlpSubscription[]> = { proto: [], json: [] };
    for (const enc of ['proto', 'json'] as const)
      for (let i = 0; i < n; i++)
        subs[enc].push(
          receivers[enc].subscribe({
            attribute: 'service.version',
            baseline: '1.4.0',
            canary: '1.5.0',
            match: { 'service.name': `svc-${i}` },
            durationMetric: 'http.server.request.duration',
            custom: {},
            latencyBoundsMs: BOUNDS_MS,
          }),
        );
    const sources = services.map(
      (_, i) =>
        new PrometheusSource({
          url: prom.url,
          selectors: { service: `svc-${i}` },
          variant: { label: 'version', baseline: '1.4.0', canary: '1.5.0' },
          latencyBoundsMs: BOUNDS_MS,
        }),
    );
    const points = all.length * ROUTES.length * CODES.length;
    let last = Date.now();
    for (let k = 0; k <= INTERVALS; k++) {
      for (const s of all) s.grow(20);
      const bodies = all.map((s) => ({ resourceMetrics: [s.otlp(s.startNs)] }));
      const proto = bodies.map((b) => t.encode(t.fromObject(b)).finish());
      const json = bodies.map((b) => Buffer.from(JSON.stringify(b)));
      // The scrape after this growth, then the window for every rollout (2 s scrape interval → ≥ one scrape).
      await new Promise((r) => setTimeout(r, 2_500));
      const ingest = {
        proto: cpuMs(() => proto.forEach((b) => receivers.proto.ingest(decodeMetricsRequest(b, 'protobuf')))),
        json: cpuMs(() => json.forEach((b) => receivers.json.ingest(decodeMetricsRequest(b, 'json')))),
      };
      const collect = {
        proto: cpuMs(() => subs.proto.forEach((s) => s.take())),
        json: cpuMs(() => subs.json.forEach((s) => s.take())),
      };
      const end = Date.now();
      const w0 = performance.now();
      const promCpu = await cpuMsAsync(async () => {
        for (let i = 0; i < sources.length; i += 50)
          await Promise.all(sources.slice(i, i + 50).map((s) => s.observeWindow(last, end)));
      });
      const wall = performance.now() - w0;
      last = end;
      if (k === 0) continue; // warm-up: JIT, first cumulative points
      for (const enc of ['proto', 'json'] as const) {
        result[enc].perRollout += (ingest[enc] + collect[enc]) / n / INTERVALS;
        result[enc].perPoint += (ingest[enc] * 1000) / points / INTERVALS; // µs
      }
      result.prometheus.perRollout += promCpu / n / INTERVALS;
      result.prometheus.wallMs += wall / INTERVALS;
    }
  } finally {
    await prom.stop();
    exposition.close();
  }
  return result;
}

async function memory(minutes: number): Promise<{ t: number; heapMb: number; series: number }[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const n = 100;
  const receiver = new OtlpReceiver({ ttlMs: 60_000 });
  const services = Array.from({ length: n }, (_, i) => [
    new Traffic(`svc-${i}`, '1.4.0'),
    new Traffic(`svc-${i}`, '1.5.0'),
  ]).flat();
  const subs = Array.from({ length: n }, (_, i) =>
    receiver.subscribe({
      attribute: 'service.version',
      baseline: '1.4.0',
      canary: '1.5.0',
      match: { 'service.name': `svc-${i}` },
      durationMetric: 'http.server.request.duration',
      custom: {},
      latencyBoundsMs: BOUNDS_MS,
    }),
  );
  const t = otlpTypes().request;
  const samples: { t: number; heapMb: number; series: number }[] = [];
  const t0 = Date.now();
  let tick = 0;
  let nextSample = t0;
  while (Date.now() - t0 < minutes * 60_000) {
    tick++;
    for (const s of services) {
      if (tick % 400 === 0) s.reset(); // a restart: new start time, counts from zero
      s.grow(5);
    }
    const start = tick % 400 === 0 ? `${Date.now()}000000` : undefined;
    for (const s of services) {
      const body = t.encode(t.fromObject({ resourceMetrics: [s.otlp(start ?? s.startNs)] })).finish();
      receiver.ingest(decodeMetricsRequest(body, 'protobuf'));
    }
    if (tick % 8 === 0) for (const s of subs) s.take(); // a 2 s analysis interval
    if (Date.now() >= nextSample) {
      gc?.();
      samples.push({
        t: Math.round((Date.now() - t0) / 1000),
        heapMb: Math.round((process.memoryUsage().heapUsed / 1e6) * 10) / 10,
        series: receiver.seriesCount,
      });
      nextSample += 30_000;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return samples;
}

const f = (x: number, d = 3): string => x.toFixed(d);

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const n of LEVELS) {
    process.stderr.write(`level ${n} rollouts…\n`);
    rows.push(await level(n));
  }
  process.stderr.write(`memory, ${MINUTES} min…\n`);
  const mem = await memory(MINUTES);
  const lines = [
    `# Metric sources: OTLP vs Prometheus (${new Date().toISOString().slice(0, 10)}` +
      `, ${cpus().length} cores, Node ${process.version})`,
    '',
    'CPU of the controller process per analysis interval per rollout (ms), same traffic (4 histogram series per',
    "service, 2 services per rollout). OTLP = decode + ingest of the interval's exports + collect; Prometheus =",
    "the source's two range queries per rollout against a real Prometheus 2.42 (its own CPU not counted).",
    'Ratio = OTLP ÷ Prometheus (below 1: OTLP is cheaper for the controller).',
    '',
    '| rollouts | OTLP proto ms | OTLP JSON ms | Prometheus ms | proto ÷ ' +
      'Prom | JSON ÷ Prom | proto µs/point | JSON µs/point | Prom wall ' +
      'ms/interval |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.rollouts} | ${f(r.proto.perRollout)} | ${f(r.json.perRollout)} ` +
        `| ${f(r.prometheus.perRollout)} | ${f(r.proto.perRollout / r.prometheus.perRollout, 2)}` +
        ` | ${f(r.json.perRollout / r.prometheus.perRollout, 2)} | ${f(r.proto.perPoint, 1)}` +
        ` | ${f(r.json.perPoint, 1)} | ${f(r.prometheus.wallMs, 0)} |`,
    ),
    '',
    `Memory: 100 rollouts exporting every 250 ms for ${MINUTES} min (a counter restart every 100 s), heap after GC:`,
    '',
    '| t (s) | heap MB | series tracked |',
    '|---:|---:|---:|',
    ...mem.map((m) => `| ${m.t} | ${m.heapMb} | ${m.series} |`),
    '',
    mem.length > 1
      ? `heap first → last after the first sample: ${mem[1]!.heapMb} → ${mem.at(-1)!.heapMb}` +
        ` MB (max ${Math.max(...mem.slice(1).map((m) => m.heapMb))} MB)`
      : 'too short for a memory trend',
  ];
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (!QUICK) {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/sources.md', text);
  }
}

await main();
