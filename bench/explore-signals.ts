/**
 * `npx tsx bench/explore-signals.ts`: the sequential judge on the cold-start, baseline and gauge conditions
 * (bench/sim/signal-scenarios.ts), each under the policy it needs: false aborts, detection and median time to
 * detect (s after onset). Seeds (100 + condition)·1,000,003 + run. BENCH_RUNS runs per condition (1000).
 */
import { seededRandom } from '../src/engine/random.js';
import { benchPolicy } from './sim/bench-policy.js';
import { runJudge } from './sim/run-judge.js';
import { signalScenarios } from './sim/signal-scenarios.js';
import { specFor } from './sim/signals.js';
import { simulate } from './sim/simulate.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const base = benchPolicy();
for (const [si, s] of signalScenarios.entries()) {
  const spec = specFor(base, s);
  let rollbacks = 0;
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const seed = (100 + si) * 1_000_003 + r;
    const out = runJudge(simulate(s, spec, seededRandom(seed)), spec, 'sequential', seed);
    if (out.decision === 'rollback') {
      rollbacks++;
      times.push(out.at - (s.onset ?? 0));
    }
  }
  times.sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : null;
  console.log(
    `${s.name}: ${s.healthy ? 'false aborts' : 'detected'} ${((100 * rollbacks) / RUNS).toFixed(1)}` +
      `%${s.healthy ? '' : `, median ${median} s`}`,
  );
}
