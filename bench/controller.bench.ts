/**
 * `npm run bench:controller` — the controller on one machine, with real HTTP:
 *  1. Router overhead: the same stable maestro-api hit directly and through the embedded router, interleaved
 *     request by request (side by side, same moment, same keep-alive), p50/p99 of each.
 *  2. A ×5 error regression (1% → 5% 500s) switched on in the canary mid-rollout at 100 rps through the router,
 *     with the real sequential judge: time from fault onset to the rollback decision (must be < 60 s), rollback
 *     duration decision → 100% stable (must be < 1 s), checked from the client side too: no request that
 *     started after the confirmation reached the canary. Repeated REPS times, concurrently.
 * Results: bench/results/controller.md. Ratios are against the playbook's target (median rollback < 5 min).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LocalActuator } from '../src/actuators/local/local-actuator.js';
import { ControllerMetrics } from '../src/controller/metrics.js';
import { RolloutController } from '../src/controller/rollout-controller.js';
import { StateStore } from '../src/controller/state-store.js';
import { createAnalysis } from '../src/engine/analysis.js';
import { startMaestroApi } from '../src/demo/maestro-api.js';
import { EmbeddedRouterSource } from '../src/sources/embedded.js';
import { policySpec } from '../src/schema/policy.js';

const REPS = Number(process.env.REPS ?? 5);
const RPS = 100;
const OVERHEAD_N = Number(process.env.OVERHEAD_N ?? 4000);
const ONSET_MS = 20_000;
const TARGET_S = 300;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const median = (xs: number[]): number => quantile(xs, 0.5);

function timedGet(
  url: string,
  agent: http.Agent,
): Promise<{ ms: number; status: number; variant: string; startedAt: number }> {
  const startedAt = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          ms: performance.now() - t0,
          status: res.statusCode ?? 0,
          variant: String(res.headers['x-canary-variant'] ?? 'direct'),
          startedAt,
        }),
      );
    });
    req.on('error', () => resolve({ ms: performance.now() - t0, status: 0, variant: '?', startedAt }));
  });
}

async function routerOverhead(): Promise<{ direct: number[]; routed: number[] }> {
  const svc = await startMaestroApi({ version: '1.0.0', faults: { tailRate: 0 } });
  const act = await LocalActuator.start({ stable: svc.url, canary: svc.url, latencyBoundsMs: [5, 10, 25] });
  await act.setWeight(0);
  const a1 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const a2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const direct: number[] = [];
  const routed: number[] = [];
  for (let i = 0; i < 200; i++) {
    await timedGet(`${svc.url}/version`, a1);
    await timedGet(`${act.url}/version`, a2);
  } // warm-up
  for (let i = 0; i < OVERHEAD_N; i++) {
    // Alternate which goes first so neither side always gets the warmer CPU cache.
    const pair = i % 2 === 0 ? [false, true] : [true, false];
    for (const viaRouter of pair) {
      const r = await timedGet(`${viaRouter ? act.url : svc.url}/version`, viaRouter ? a2 : a1);
      (viaRouter ? routed : direct).push(r.ms);
    }
  }
  a1.destroy();
  a2.destroy();
  await act.close();
  await svc.close();
  return { direct, routed };
}

interface RegressionRun {
  detectionS: number | null;
  rollbackMs: number | null;
  decidedBy: string;
  lateCanaryRequests: number;
  reason: string;
  requests: number;
}

async function regressionRun(rep: number): Promise<RegressionRun> {
  const stable = await startMaestroApi({ version: '1.0.0', faults: { errorRate: 0.01, latencyMs: 2 } });
  const canary = await startMaestroApi({ version: '1.1.0', faults: { errorRate: 0.01, latencyMs: 2 } });
  const act = await LocalActuator.start({
    stable: stable.url,
    canary: canary.url,
    latencyBoundsMs: [5, 10, 25, 50, 100, 250, 500, 1000],
  });
  const policy = policySpec.parse({
    service: 'maestro-api',
    interval: '5s',
    steps: [
      { weight: 10, bake: '60s' },
      { weight: 25, bake: '60s' },
      { weight: 50, bake: '120s' },
    ],
    latencyBoundsMs: [5, 10, 25, 50, 100, 250, 500, 1000],
  });
  const store = await StateStore.open(':memory:');
  const c = await RolloutController.open({
    id: `bench-${rep}`,
    policy,
    actuator: act,
    sources: [new EmbeddedRouterSource(act.router.recorder)],
    createAnalysis: (p) => createAnalysis(p),
    store,
    metrics: new ControllerMetrics(),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const seen: { startedAt: number; variant: string }[] = [];
  const timer = setInterval(() => {
    for (let k = 0; k < RPS / 20; k++) void timedGet(`${act.url}/api/orders/none`, agent).then((r) => seen.push(r));
  }, 50);
  c.start();
  const onsetTimer = setTimeout(() => {
    canary.setFaults({ errorRate: 0.05 });
    c.markOnset(performance.timeOrigin + performance.now());
  }, ONSET_MS);
  const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ONSET_MS + 120_000));
  const done = await Promise.race([c.done, deadline]);
  clearTimeout(onsetTimer);
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(timer);
  const snap = c.snapshot();
  const decision = snap.decisions.at(-1);
  const rb = store.load(c.id)?.rollbackConfirmedAt ?? Infinity;
  const late = seen.filter((s) => s.startedAt > rb && s.variant === 'canary').length;
  const why = decision?.reasons.find((r) => r.verdict === 'fail');
  await c.stop();
  store.close();
  agent.destroy();
  await act.close();
  await Promise.all([stable.close(), canary.close()]);
  return {
    detectionS: done === 'timeout' || snap.phase !== 'rolled-back' ? null : snap.timeToDecideSeconds,
    rollbackMs: snap.rollbackDurationSeconds === null ? null : snap.rollbackDurationSeconds * 1000,
    decidedBy: decision?.by ?? '-',
    lateCanaryRequests: late,
    reason: why ? `${why.signal}: ${why.message}` : '-',
    requests: seen.length,
  };
}

const t0 = Date.now();
console.log(`router overhead: ${OVERHEAD_N} interleaved request pairs…`);
const o = await routerOverhead();
const row = (name: string, xs: number[]): string =>
  `| ${name} | ${quantile(xs, 0.5).toFixed(3)} | ${quantile(xs, 0.99).toFixed(3)} |`;
const addP50 = quantile(o.routed, 0.5) - quantile(o.direct, 0.5);
const addP99 = quantile(o.routed, 0.99) - quantile(o.direct, 0.99);
console.log(
  `direct p50 ${quantile(o.direct, 0.5).toFixed(3)} ms p99 ${quantile(o.direct, 0.99).toFixed(3)}` +
    ` ms; routed p50 ${quantile(o.routed, 0.5).toFixed(3)} ms p99 ${quantile(o.routed, 0.99).toFixed(3)}` +
    ` ms`,
);
console.log(`regression: ${REPS} concurrent rollouts at ${RPS} rps each, ×5 errors from t=${ONSET_MS / 1000}s…`);
const runs = await Promise.all(Array.from({ length: REPS }, (_, i) => regressionRun(i)));
for (const r of runs)
  console.log(
    `  detected ${r.detectionS?.toFixed(1) ?? 'NOT'} s after onset by ${r.decidedBy}` +
      `; rollback ${r.rollbackMs?.toFixed(4) ?? '-'} ms; late canary ` +
      `requests ${r.lateCanaryRequests}`,
  );
const det = runs.map((r) => r.detectionS ?? Infinity);
const rbs = runs.map((r) => r.rollbackMs ?? Infinity);
const pass60 = det.every((d) => d < 60);
const pass1s = rbs.every((d) => d < 1000);
const medRbS = median(rbs) / 1000;
const medDetect = median(det);
const runRows = runs.map(
  (r, i) =>
    `| ${i + 1} | ${r.detectionS?.toFixed(1) ?? 'not rolled back'} | ${r.rollbackMs?.toFixed(4) ?? '-'}` +
    ` | ${r.lateCanaryRequests} | ${r.decidedBy} | ${r.reason.replace(/\|/g, '/')} |`,
);
const md =
  `# Controller benchmark

Generated by \`npm run bench:controller\` on ${new Date().toISOString().slice(0, 10)} (${cpus().length} CPUs, Node ` +
  `${process.version}; ${((Date.now() - t0) / 1000).toFixed(0)} s wall time).
Everything is real loopback HTTP: the sample maestro-api, the embedded router (node:http, keep-alive), the real
sequential judge, the controller loop with its SQLite state.

## Router added latency (same service, direct vs through the router, ${OVERHEAD_N} interleaved pairs)

| path | p50 (ms) | p99 (ms) |
|---|---|---|
${row('direct', o.direct)}
${row('through the router', o.routed)}

Added by the router: **p50 +${addP50.toFixed(3)} ms, p99 +${addP99.toFixed(3)} ms**.

## ×5 error regression at ${RPS} rps (${REPS} rollouts run concurrently)

Stable and canary both answer 1% 500s; ${ONSET_MS / 1000} s into the rollout (10% canary, 5 s intervals, steps ` +
  `10/25/50%)
the canary goes to 5%. Detection = fault onset → rollback decision.
Rollback = decision → router confirms 100% stable;
"late" = requests that *started* after that confirmation and still reached the canary (must be 0).

| run | detected after onset (s) | rollback (ms) | late canary requests | decided by | first failing signal |
|---|---|---|---|---|---|
${runRows.join('\n')}

- Rolled back within 60 s of onset: **${pass60 ? 'yes, every run' : 'NO'}** (median ${medDetect.toFixed(1)} s, max ` +
  `${Math.max(...det).toFixed(1)} s).
- Rollback decision → 100% stable under 1 s: **${pass1s ? 'yes, every run' : 'NO'}** (median ` +
  `${(medRbS * 1000).toFixed(4)} ms).
- Against the playbook's target of a median rollback under 5 minutes (${TARGET_S} s): the rollback itself is
  **${(TARGET_S / medRbS).toExponential(1)}× faster** than the target; even counting detection (onset → 100% stable),
  the median of ${medDetect.toFixed(1)} s is **${(TARGET_S / medDetect).toFixed(1)}× under** it (Flagger's default ` +
  `rollback takes interval × threshold = 10 min).
`;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/controller.md', import.meta.url), md);
console.log(md);
if (!pass60 || !pass1s || runs.some((r) => r.lateCanaryRequests > 0)) process.exitCode = 1;
