/**
 * `npm run bench:judges`: the three judges on identical simulated canaries (bench/sim/), closed loop.
 * Prints and writes bench/results/judges.md. BENCH_RUNS overrides the runs per scenario (default 1000).
 */
import { writeFileSync } from 'node:fs';
import { seededRandom } from '../src/engine/random.js';
import type { JudgeName } from '../src/schema/policy.js';
import { benchPolicy } from './sim/bench-policy.js';
import { renderReport } from './sim/report.js';
import { runJudge, type JudgeRunResult } from './sim/run-judge.js';
import { scenarios } from './sim/scenarios.js';
import { simulate } from './sim/simulate.js';
import { summarise, type Cell } from './sim/summary.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const JUDGES: JudgeName[] = ['sequential', 'kayenta', 'threshold'];
const spec = benchPolicy();
const started = performance.now();
const cells: Cell[] = [];
const seconds: Record<string, number> = { sequential: 0, kayenta: 0, threshold: 0 };

for (const [si, s] of scenarios.entries()) {
  const results: Record<string, JudgeRunResult[]> = { sequential: [], kayenta: [], threshold: [] };
  for (let r = 0; r < RUNS; r++) {
    const seed = (si + 1) * 1_000_003 + r;
    const run = simulate(s, spec, seededRandom(seed));
    for (const j of JUDGES) {
      const t0 = performance.now();
      results[j]!.push(runJudge(run, spec, j, seed));
      seconds[j]! += (performance.now() - t0) / 1000;
    }
  }
  for (const j of JUDGES) cells.push(summarise(s, j, results[j]!));
  console.error(`${s.name}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const report = renderReport(cells, { runs: RUNS, spec, seconds, totalSeconds: (performance.now() - started) / 1000 });
writeFileSync(new URL('./results/judges.md', import.meta.url), report);
console.log(report);
