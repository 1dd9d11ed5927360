/**
 * `npm run bench:judges`: the three judges on identical simulated canaries (bench/sim/), closed loop, plus
 * "calibrated" threshold and Kayenta variants whose failure limits were tuned on separate seeds to ≤ 1% false
 * aborts on the steady healthy condition (bench/sim/calibrate.ts), so times to detect can be compared at equal
 * false-abort rates. Prints and writes bench/results/judges.md. BENCH_RUNS overrides the runs per scenario (1000).
 */
import { writeFileSync } from 'node:fs';
import { seededRandom } from '../src/engine/random.js';
import { benchPolicy } from './sim/bench-policy.js';
import { calibrate } from './sim/calibrate.js';
import { renderReport } from './sim/report.js';
import { decideTrace, runJudge, traceJudge, withFailureLimit, type JudgeRunResult } from './sim/run-judge.js';
import { scenarios } from './sim/scenarios.js';
import { simulate } from './sim/simulate.js';
import { summarise, type Cell } from './sim/summary.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
export const LABELS = ['sequential', 'kayenta', 'kayenta (calibrated)', 'threshold', 'threshold (calibrated)'] as const;
const spec = benchPolicy();
const started = performance.now();
const calibration = calibrate(spec, RUNS);
const calibratedThreshold = {
  ...spec,
  threshold: { ...spec.threshold, failureLimit: calibration.thresholdFailureLimit },
};
console.error(
  `calibrated on steady (tuning seeds): threshold failureLimit ${calibration.thresholdFailureLimit}, kayenta failureLimit ${calibration.kayentaFailureLimit} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
const cells: Cell[] = [];
const seconds: Record<string, number> = { sequential: 0, kayenta: 0, threshold: 0 };

function timed<T>(judge: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  seconds[judge]! += (performance.now() - t0) / 1000;
  return out;
}

for (const [si, s] of scenarios.entries()) {
  const results: Record<string, JudgeRunResult[]> = Object.fromEntries(LABELS.map((l) => [l, []]));
  for (let r = 0; r < RUNS; r++) {
    const seed = (si + 1) * 1_000_003 + r;
    const run = simulate(s, spec, seededRandom(seed));
    results.sequential!.push(timed('sequential', () => runJudge(run, spec, 'sequential', seed)));
    const trace = timed('kayenta', () => traceJudge(run, spec, 'kayenta', seed));
    results.kayenta!.push(decideTrace(run, spec, trace));
    results['kayenta (calibrated)']!.push(
      decideTrace(run, spec, withFailureLimit(trace, calibration.kayentaFailureLimit)),
    );
    results.threshold!.push(timed('threshold', () => runJudge(run, spec, 'threshold', seed)));
    results['threshold (calibrated)']!.push(runJudge(run, calibratedThreshold, 'threshold', seed));
  }
  for (const l of LABELS) cells.push(summarise(s, l, results[l]!));
  console.error(`${s.name}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const report = renderReport(cells, {
  runs: RUNS,
  spec,
  seconds,
  totalSeconds: (performance.now() - started) / 1000,
  calibration,
});
writeFileSync(new URL('./results/judges.md', import.meta.url), report);
console.log(report);
