// Benchmark: syntheticsctl's runner vs Prometheus' blackbox_exporter probing the same loopback target with fresh
// connections, in one run; then the RSS of the `syntheticsctl run` daemon over --duration seconds (default 60;
// `--duration 600` is the 10-minute flat-memory check). Writes bench/results/synthetics.md.
//   npm run bench:synthetics -- [--probes 2000] [--concurrency 8] [--duration 60]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { probeSuite } from '../src/schema/probe-suite.js';
import { prepareSuite } from '../src/synthetics/prepare-suite.js';
import { runFlow } from '../src/synthetics/run-flow.js';
import { notInstalledMessage, which } from '../scripts/test-prerequisites.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PROBES = arg('probes', 2000);
const CONCURRENCY = arg('concurrency', 8);
const DURATION_S = arg('duration', 60);
const BBE = which('prometheus-blackbox-exporter');
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'bench-synthetics-'));
const children: ChildProcess[] = [];
const TICK = 100; // USER_HZ on Linux

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
}
const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

function start(cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${out}`)));
  });
}

async function pool(n: number, concurrency: number, task: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await task();
    }),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const get = (url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

async function main(): Promise<void> {
  if (!BBE) throw new Error(notInstalledMessage('prometheus-blackbox-exporter'));
  const bin = join(root, 'dist/bin/syntheticsctl.js');
  if (!existsSync(bin)) throw new Error('dist/ missing: run npm run build first');
  // The target runs in its own process so its CPU is charged to neither prober.
  const targetScript =
    "require('http').createServer((q,s)=>s.writeHead(200,{'content-type':'application/json'})" +
    ".end('{\"status\":\"ok\"}')).listen(0,'127.0.0.1',function(){console.log('port='+this.address().port)})";
  const target = await start(process.execPath, ['-e', targetScript], /port=(\d+)/);
  const targetUrl = `http://127.0.0.1:${target.match[1]}/healthz`;

  // blackbox_exporter: one /probe per probe (fresh connection to the target each time, as it always does).
  writeFileSync(
    join(dir, 'bbe.yml'),
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n ' +
      '     preferred_ip_protocol: ip4\n      valid_status_codes: [200]\n',
  );
  const bbe = await start(
    BBE,
    [`--config.file=${join(dir, 'bbe.yml')}`, '--web.listen-address=127.0.0.1:0'],
    /address=127\.0\.0\.1:(\d+)/,
  );
  const bbeUrl = `http://127.0.0.1:${bbe.match[1]}/probe?module=http_2xx&target=${encodeURIComponent(targetUrl)}`;
  for (let i = 0; i < 50; i++) await get(bbeUrl); // warm-up
  let bbeFailures = 0;
  const bbeCpu0 = cpuSecondsOf(bbe.child.pid!);
  const bbeT0 = performance.now();
  await pool(PROBES, CONCURRENCY, async () => void (/probe_success 1/.test(await get(bbeUrl)) || bbeFailures++));
  const bbeWall = (performance.now() - bbeT0) / 1000;
  const bbeCpu = cpuSecondsOf(bbe.child.pid!) - bbeCpu0;

  // syntheticsctl's runner in this process (the same work: GET, status and a JSONPath assertion, fresh connection).
  const suite = probeSuite.parse({
    apiVersion: 'syntheticsctl/v1',
    kind: 'ProbeSuite',
    metadata: { name: 'bench' },
    spec: {
      interval: '10s',
      timeout: '5s',
      flows: [
        {
          name: 'health',
          steps: [
            {
              name: 'healthz',
              request: { url: targetUrl },
              assert: [{ status: 200 }, { jsonpath: { path: '$.status', equals: 'ok' } }],
            },
          ],
        },
      ],
    },
  });
  const prepared = prepareSuite(suite, { env: {}, baseUrl: 'http://127.0.0.1' });
  for (let i = 0; i < 50; i++) await runFlow(prepared, 'health');
  let ourFailures = 0;
  const cpu0 = process.cpuUsage();
  const ourT0 = performance.now();
  await pool(PROBES, CONCURRENCY, async () => void ((await runFlow(prepared, 'health')).success || ourFailures++));
  const ourWall = (performance.now() - ourT0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ourCpu = (cpu.user + cpu.system) / 1e6;

  // Daemon memory: `syntheticsctl run` scheduled every 1s plus /probe load, RSS sampled each second.
  writeFileSync(
    join(dir, 'suite.yaml'),
    `apiVersion: syntheticsctl/v1\nkind: ProbeSuite\nmetadata: {name: ` +
      `bench}\nspec:\n  baseUrl: ${targetUrl.replace('/healthz', '')}\n  ` +
      `interval: 1s\n  timeout: 1s\n  flows:\n    - name: health\n      ` +
      `steps:\n        - name: healthz\n          request: {url: "${targetUrl}` +
      `"}\n          assert: [{status: 200}, {jsonpath: {path: $.status, ` +
      `equals: ok}}]\n`,
  );
  const daemon = await start(
    process.execPath,
    [bin, 'run', join(dir, 'suite.yaml'), '--listen', '127.0.0.1:0', '--db', join(dir, 'h.db'), '--quiet'],
    /metrics at (http:\/\/\S+)\/metrics/,
  );
  const samples: number[] = [];
  const until = performance.now() + DURATION_S * 1000;
  let daemonProbes = 0;
  const daemonCpu0 = cpuSecondsOf(daemon.child.pid!);
  const daemonT0 = performance.now();
  const sampler = setInterval(() => samples.push(rssMiB(daemon.child.pid!)), 1000);
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (performance.now() < until) {
        await get(`${daemon.match[1]}/probe?flow=health`);
        daemonProbes++;
      }
    }),
  );
  clearInterval(sampler);
  const daemonCpu = cpuSecondsOf(daemon.child.pid!) - daemonCpu0;
  const daemonWall = (performance.now() - daemonT0) / 1000;

  const ours = { rate: PROBES / ourWall, cpuMs: (ourCpu / PROBES) * 1000, perCpuSec: PROBES / ourCpu };
  const theirs = { rate: PROBES / bbeWall, cpuMs: (bbeCpu / PROBES) * 1000, perCpuSec: PROBES / bbeCpu };
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const early = samples.slice(0, tenth);
  const late = samples.slice(-tenth);
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const f = (n: number, d = 1): string => n.toFixed(d);
  const lines = [
    '# syntheticsctl vs blackbox_exporter',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}` +
      `, Node ${process.version}; ${PROBES} probes each, concurrency ${CONCURRENCY}` +
      `,`,
    'same loopback target (a separate Node process), fresh TCP connection per probe, GET + status check',
    '(+ a JSONPath assertion for syntheticsctl). CPU = user+sys of the prober process only.',
    '',
    '| prober | probes/s (wall) | CPU ms / probe | probes / CPU-second | failures |',
    '|---|---|---|---|---|',
    `| syntheticsctl runner (in-process) | ${f(ours.rate)} | ${f(ours.cpuMs, 3)}` +
      ` | ${f(ours.perCpuSec)} | ${ourFailures} |`,
    `| syntheticsctl run daemon (/probe, concurrency 2, + 1 s schedule) | ${f(daemonProbes / daemonWall)}` +
      ` | ${f((daemonCpu / daemonProbes) * 1000, 3)} | ${f(daemonProbes / daemonCpu)}` +
      ` | - |`,
    `| blackbox_exporter ${'0.23'} (/probe) | ${f(theirs.rate)} | ${f(theirs.cpuMs, 3)}` +
      ` | ${f(theirs.perCpuSec)} | ${bbeFailures} |`,
    '',
    `**Ratio (syntheticsctl / blackbox_exporter): probes per CPU-second ${f(ours.perCpuSec / theirs.perCpuSec, 2)}` +
      `× (runner), ${f(daemonProbes / daemonCpu / theirs.perCpuSec, 2)}× ` +
      `(daemon via /probe, which like blackbox_exporter also serves HTTP and ` +
      `an exposition per probe and records each result in SQLite); ` +
      `wall-clock probes/s ${f(ours.rate / theirs.rate, 2)}× (runner).**`,
    '',
    `Daemon memory (\`syntheticsctl run\`, 1 s schedule + 2 concurrent ` +
      `/probe loops, ${DURATION_S} s, ${daemonProbes} /probe calls):`,
    `RSS first 10% of samples ${f(avg(early))} MiB, last 10% ${f(avg(late))}` +
      ` MiB, max ${f(Math.max(...samples))} MiB (${samples.length} samples).`,
    '',
  ];
  const report = lines.join('\n');
  writeFileSync(join(root, 'bench/results/synthetics.md'), report);
  console.log(report);
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGTERM');
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
