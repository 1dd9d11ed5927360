/**
 * `npm run bench:judges`: the three judges on identical simulated canaries (bench/sim/), each run replayed through
 * the controller's own state machine (src/engine/replay-run.ts), plus "calibrated" threshold and Kayenta variants
 * whose failure limits were tuned on separate seeds to ≤ 1% false aborts on the steady healthy condition
 * (bench/sim/calibrate.ts), and for every regression an oracle SPRT that knows the true ratio and onset
 * (bench/sim/oracle.ts). The conditions are the list in bench/sim/scenarios.ts, each under the bench policy plus
 * what it needs (`specFor`: a custom CPU metric, a warm-up). Prints and writes bench/results/judges.md.
 * Environment: BENCH_RUNS runs per condition (1000); BENCH_JUDGES a comma list of judges to run (default all; a
 * subset skips the report file and prints the tables); BENCH_CONDITIONS comma-separated substrings of condition names
 * to run;
 * BENCH_SEEDS=tuning runs on the tuning seeds instead of the evaluation seeds (for design work); BENCH_OUT=file
 * also writes a partial run's cells there (JSON, as below).
 * A run over every condition on the evaluation seeds also writes its cells to bench/results/judges*.json (one file
 * per judge subset, so the judges can be run as separate processes); `--render` merges those files and writes the
 * report.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../src/engine/random.js';
import { benchPolicy } from './sim/bench-policy.js';
import { calibrate, TUNING_SEED } from './sim/calibrate.js';
import { oracleTimeToDetect } from './sim/oracle.js';
import { ORACLE, renderReport, type Meta } from './sim/report.js';
import { decideTrace, runJudge, traceJudge, withFailureLimit, type JudgeRunResult } from './sim/run-judge.js';
import { scenarios } from './sim/scenarios.js';
import { specFor } from './sim/signals.js';
import { scheduleSeconds } from './sim/schedule.js';
import { simulate } from './sim/simulate.js';
import { detectionCell, summarise, type Cell } from './sim/summary.js';

const RESULTS = new URL('./results/', import.meta.url);
if (process.argv.includes('--render')) {
  const merged: Cell[] = [];
  let meta: Meta | undefined;
  for (const f of readdirSync(RESULTS)
    .filter((x) => /^judges.*\.json$/.test(x))
    .sort()) {
    const saved = JSON.parse(readFileSync(new URL(f, RESULTS), 'utf8')) as { cells: Cell[]; meta: Meta };
    for (const c of saved.cells)
      if (!merged.some((m) => m.scenario === c.scenario && m.judge === c.judge)) merged.push(c);
    meta = meta
      ? {
          ...meta,
          seconds: { ...meta.seconds, ...saved.meta.seconds },
          totalSeconds: meta.totalSeconds + saved.meta.totalSeconds,
          calibration: meta.calibration ?? saved.meta.calibration,
        }
      : saved.meta;
  }
  if (!meta) throw new Error('no bench/results/judges*.json to render');
  const order = scenarios.map((x) => x.name);
  merged.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const report = renderReport(merged, { ...meta, spec: benchPolicy() });
  writeFileSync(new URL('judges.md', RESULTS), report);
  console.log(report);
  process.exit(0);
}

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const ALL = ['sequential', 'kayenta', 'kayenta (calibrated)', 'threshold', 'threshold (calibrated)'] as const;
const only = process.env.BENCH_JUDGES?.split(',').map((x) => x.trim());
const LABELS = ALL.filter((l) => !only || only.includes(l));
const full = LABELS.length === ALL.length;
const saved = !process.env.BENCH_CONDITIONS && process.env.BENCH_SEEDS !== 'tuning';
const filters = process.env.BENCH_CONDITIONS?.split(',');
const conditions = scenarios.filter((s) => !filters || filters.some((f) => s.name.includes(f)));
/** Evaluation seeds: (condition + 1)·1,000,003 + run; tuning seeds start at TUNING_SEED (calibrate.ts). */
const seedOf = (si: number, r: number): number =>
  process.env.BENCH_SEEDS === 'tuning' ? TUNING_SEED + (si + 1) * 1_000_003 + r : (si + 1) * 1_000_003 + r;

const spec = benchPolicy();
const started = performance.now();
const needsCalibration = LABELS.some((l) => l.includes('calibrated'));
const calibration = needsCalibration ? calibrate(spec, RUNS) : undefined;
if (calibration)
  console.error(
    `calibrated on steady (tuning seeds): threshold failureLimit ${calibration.thresholdFailureLimit}` +
      `, kayenta failureLimit ${calibration.kayentaFailureLimit} ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
const cells: Cell[] = [];
const seconds: Record<string, number> = {};

function timed<T>(judge: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  seconds[judge] = (seconds[judge] ?? 0) + (performance.now() - t0) / 1000;
  return out;
}

for (const s of conditions) {
  const si = scenarios.indexOf(s);
  const cspec = specFor(spec, s);
  const calibratedThreshold = calibration && {
    ...cspec,
    threshold: { ...cspec.threshold, failureLimit: calibration.thresholdFailureLimit },
  };
  const results: Record<string, JudgeRunResult[]> = Object.fromEntries(LABELS.map((l) => [l, []]));
  const oracle: (number | null)[] = [];
  const want = (l: string): boolean => (LABELS as readonly string[]).includes(l);
  for (let r = 0; r < RUNS; r++) {
    const seed = seedOf(si, r);
    const run = simulate(s, cspec, seededRandom(seed));
    if (!s.healthy) oracle.push(oracleTimeToDetect(s, cspec, run));
    if (want('sequential'))
      results.sequential!.push(timed('sequential', () => runJudge(run, cspec, 'sequential', seed)));
    if (want('kayenta') || want('kayenta (calibrated)')) {
      const trace = timed('kayenta', () => traceJudge(run, cspec, 'kayenta', seed));
      if (want('kayenta')) results.kayenta!.push(decideTrace(run, cspec, trace));
      if (calibration && want('kayenta (calibrated)'))
        results['kayenta (calibrated)']!.push(
          decideTrace(run, cspec, withFailureLimit(trace, calibration.kayentaFailureLimit)),
        );
    }
    if (want('threshold')) results.threshold!.push(timed('threshold', () => runJudge(run, cspec, 'threshold', seed)));
    if (calibratedThreshold && want('threshold (calibrated)'))
      results['threshold (calibrated)']!.push(runJudge(run, calibratedThreshold, 'threshold', seed));
  }
  for (const l of LABELS) cells.push(summarise(s, l, results[l]!));
  if (!s.healthy) cells.push(detectionCell(s, ORACLE, oracle, scheduleSeconds(cspec)));
  console.error(`${s.name}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const meta: Meta = {
  runs: RUNS,
  spec,
  seconds,
  totalSeconds: (performance.now() - started) / 1000,
  calibration,
  seeds: process.env.BENCH_SEEDS === 'tuning' ? 'tuning' : 'evaluation',
};
const report = renderReport(cells, meta);
if (process.env.BENCH_OUT)
  writeFileSync(process.env.BENCH_OUT, `${JSON.stringify({ cells, meta: { ...meta, spec: undefined } })}\n`);
if (saved) {
  if (full) writeFileSync(new URL('judges.md', RESULTS), report);
  const name = full ? 'judges.json' : `judges.${LABELS.map((l) => l.replace(/\W+/g, '-')).join('+')}.json`;
  writeFileSync(new URL(name, RESULTS), `${JSON.stringify({ cells, meta: { ...meta, spec: undefined } })}\n`);
}
console.log(report);
