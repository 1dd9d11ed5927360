/**
 * Regenerates examples/replays/*.jsonl from the simulator (seeded): `npx tsx bench/sim/write-example-replays.ts`.
 * Recorded under the built-in default policy's schedule (10/25/50% × 60 s, 10 s intervals).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../../src/engine/random.js';
import { defaultPolicySpec } from '../../src/schema/policy.js';
import { scenarios } from './scenarios.js';
import { simulate } from './simulate.js';

const spec = defaultPolicySpec('maestro-api');
const out = new URL('../../examples/replays/', import.meta.url);
mkdirSync(out, { recursive: true });
const files: [string, string][] = [
  ['healthy.jsonl', 'healthy: steady'],
  ['error-regression.jsonl', 'errors ×5'],
  ['latency-regression.jsonl', 'latency +20% (median shift)'],
];
for (const [file, name] of files) {
  const s = scenarios.find((x) => x.name === name)!;
  const run = simulate(s, spec, seededRandom(42));
  const header = {
    kind: 'replay',
    version: 1,
    service: 'maestro-api',
    intervalSeconds: spec.interval / 1000,
    latencyBoundsMs: spec.latencyBoundsMs,
    scenario: name,
  };
  writeFileSync(new URL(file, out), [header, ...run.intervals].map((x) => JSON.stringify(x)).join('\n') + '\n');
  console.log(`wrote examples/replays/${file} (${run.intervals.length} intervals)`);
}
