/**
 * Sequential judge on the cold-start, baseline and gauge conditions only (bench/sim/signals.ts), on the
 * evaluation seeds of bench/judges.bench.ts: false aborts, detection and median time to detect.
 * BENCH_RUNS runs per condition (1000).
 */
import { seededRandom } from '../src/engine/random.js';
import { benchPolicy } from './sim/bench-policy.js';
import { runJudge } from './sim/run-judge.js';
import { scenarios } from './sim/scenarios.js';
import { specFor } from './sim/signals.js';
import { simulate } from './sim/simulate.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const base = benchPolicy();
for (const [si, s] of scenarios.entries()) {
  if (!s.coldStart && !s.gauge && !s.withBaseline) continue;
  const spec = specFor(base, s);
  let rollbacks = 0;
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const seed = (si + 1) * 1_000_003 + r;
    const out = runJudge(simulate(s, spec, seededRandom(seed)), spec, 'sequential', seed);
    if (out.decision === 'rollback') {
      rollbacks++;
      times.push(out.at - (s.onset ?? 0));
    }
  }
  times.sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : null;
  console.log(
    `${s.name}: ${s.healthy ? 'false aborts' : 'detected'} ${((100 * rollbacks) / RUNS).toFixed(1)}%${s.healthy ? '' : `, median ${median} s`}`,
  );
}
