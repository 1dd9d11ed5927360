import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSpawnError, installedBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { untilValue } from './poll.js';

/** A real Prometheus (Debian 2.42) on a loopback port with a temp TSDB, scraping the given targets every second. */
export interface PrometheusProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ScrapeJob {
  job: string;
  targets: string[];
  labels?: Record<string, string>;
}

export async function startPrometheus(
  jobs: ScrapeJob[],
  opts: { port?: number; binary?: string; ruleFiles?: string[] } = {},
): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ac-prom-'));
  const port = opts.port ?? (await freePort());
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    ...(opts.ruleFiles ? { rule_files: opts.ruleFiles } : {}),
    scrape_configs: jobs.map((j) => ({
      job_name: j.job,
      scrape_interval: '1s',
      static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
    })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const binary = opts.binary ?? installedBinary('prometheus');
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = describeSpawnError('prometheus', err)));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once a scrape of every target that started after `sinceMs` (epoch ms) is queryable. Prometheus hands new
 * targets to its scrape loops on a 5 s tick, so a freshly started one lists none for a while; on a loaded machine
 * that and the first scrape take far longer, hence the generous default. The targets API alone is not enough: it can
 * report a scrape before the scrape's samples are committed, so a query at that moment still sees the previous
 * values. `up` is appended with the scrape's samples, so `timestamp(up)` past `sinceMs` means they are all in.
 */
export async function waitForScrapeAfter(url: string, sinceMs: number, timeoutMs = 45_000): Promise<void> {
  let last: unknown = 'no answer from /api/v1/targets yet';
  await untilValue(
    `Prometheus to scrape every target after ${new Date(sinceMs).toISOString()}`,
    async () => {
      const res = await fetch(`${url}/api/v1/targets`).catch(() => undefined);
      if (!res?.ok) return undefined;
      const targets = ((await res.json()) as { data: { activeTargets: { lastScrape: string; health: string }[] } }).data
        .activeTargets;
      last = targets;
      const scraped = targets.every((t) => Date.parse(t.lastScrape) > sinceMs && t.health === 'up');
      if (targets.length === 0 || !scraped) return undefined;
      const q = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('timestamp(up)')}`).catch(() => undefined);
      if (!q?.ok) return undefined;
      const samples = ((await q.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
      last = { targets, 'timestamp(up)': samples };
      const committed = samples.length === targets.length && samples.every((r) => Number(r.value[1]) * 1000 > sinceMs);
      return committed ? true : undefined;
    },
    { timeoutMs, everyMs: 200, detail: () => JSON.stringify(last) },
  );
}
