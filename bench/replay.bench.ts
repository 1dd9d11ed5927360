// Benchmark: `adaptive-canary replay --json` (the built CLI) over 500 recordings of 60 intervals each, one process,
// best of --runs. Writes bench/results/replay.md. The e2e test (test/e2e/replay.test.ts) checks the same run's
// output; how fast it goes is measured here, where a loaded machine cannot fail a test.
//   npm run build && npm run bench:replay -- [--files 500] [--runs 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADAPTIVE_CANARY_BIN } from '../test/support/built-cli.js';
import { recording } from '../test/support/replay-recording.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FILES = arg('files', 500);
const RUNS = arg('runs', 3);
const root = new URL('..', import.meta.url).pathname;
if (!existsSync(ADAPTIVE_CANARY_BIN)) throw new Error('dist/ is missing: run `npm run build` first');

const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
const files: string[] = [];
for (let i = 0; i < FILES; i++) {
  const f = join(dir, `run-${i}.jsonl`);
  writeFileSync(f, recording(60, i % 5 === 0 ? 4 : 1, i + 1));
  files.push(f);
}
const times: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [ADAPTIVE_CANARY_BIN, 'replay', '--json', ...files], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    times.push((performance.now() - t0) / 1000);
    const lines = r.stdout.trim().split('\n').length;
    if (lines !== FILES) throw new Error(`expected ${FILES} decisions, got ${lines}: ${r.stderr}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const best = Math.min(...times);
const md = `# replay throughput

\`npm run bench:replay -- --files ${FILES} --runs ${RUNS}\`: one \`adaptive-canary replay --json\` process over ${FILES}
recordings of 60 intervals (a fifth of them roll back). ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}
at the end. Anchor: test/e2e/replay.test.ts used to require this run to finish in under 30 s.

| runs (s) | best (s) | files/s (best) |
| --- | --- | --- |
| ${times.map((t) => t.toFixed(2)).join(', ')} | ${best.toFixed(2)} | ${Math.round(FILES / best)} |
`;
writeFileSync(join(root, 'bench/results/replay.md'), md);
console.log(md);
