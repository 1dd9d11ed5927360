/**
 * Design exploration for the sequential judge on *tuning* seeds (never the evaluation seeds of judges.bench.ts):
 * `BENCH_RUNS=500 npx tsx bench/explore-sequential.ts`. Prints false aborts and time to detect per scenario.
 */
import { seededRandom } from '../src/engine/random.js';
import { benchPolicy } from './sim/bench-policy.js';
import { runJudge } from './sim/run-judge.js';
import { scenarios } from './sim/scenarios.js';
import { simulate } from './sim/simulate.js';
import { summarise } from './sim/summary.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const SEED_BASE = 700_000_000;
const spec = benchPolicy();
for (const [si, s] of scenarios.entries()) {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const seed = SEED_BASE + si * 100_003 + r;
    results.push(runJudge(simulate(s, spec, seededRandom(seed)), spec, 'sequential', seed));
  }
  const c = summarise(s, 'sequential', results);
  const rules = new Map<string, number>();
  for (const r of results) if (r.decision === 'rollback') rules.set(r.rule ?? '?', (rules.get(r.rule ?? '?') ?? 0) + 1);
  console.log(
    `${s.name.padEnd(45)} ${(c.rollbackRate * 100).toFixed(1).padStart(5)}` +
      `%  ${s.healthy ? '' : `${c.medianDetect} / ${c.p90Detect}`}  ` +
      [...rules].map(([k, v]) => `${k}:${v}`).join(' '),
  );
}
