import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistory } from '../../../src/synthetics/history.js';
import type { FlowResult } from '../../../src/synthetics/results.js';

export const EXAMPLE = join(import.meta.dirname, '../../../examples/maestro-api');

/** A private copy of the paved-road example, so tests can break it. */
export function copyExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('.syntheticsctl') });
  return dir;
}

/** A probe history with one run per 30 s for `days`, `failures` of them failed (spread evenly). */
export function writeHistory(file: string, opts: { now: number; days: number; failures: number }): void {
  const h = openHistory(file);
  const intervalMs = 30_000;
  const n = Math.floor((opts.days * 86_400_000) / intervalMs);
  const every = opts.failures > 0 ? Math.floor(n / opts.failures) : Infinity;
  for (let i = 0; i < n; i++) {
    const success = !(every !== Infinity && i % every === 0);
    const r: FlowResult = {
      suite: 'maestro-api-canary',
      flow: 'login-and-order',
      tags: [],
      baseUrl: 'http://127.0.0.1:1',
      status: success ? 'passed' : 'failed',
      success,
      firstAttemptStatus: success ? 'passed' : 'failed',
      retries: 0,
      startedAt: opts.now - (n - i) * intervalMs + 1000,
      durationMs: 12,
      intervalMs,
      attempts: [],
      steps: [],
    };
    h.record(r);
  }
  h.close();
}

/** A stand-in `/metrics` of a running `syntheticsctl run` serving the given suite file. */
export async function serveSuiteInfo(suiteFile: string): Promise<{ url: string; server: Server }> {
  const sha = createHash('sha256').update(readFileSync(suiteFile)).digest('hex');
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      `# TYPE syntheticsctl_suite_info gauge\nsyntheticsctl_suite_info{suite="maestro-api-canary",sha256="${sha}"} 1\n`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
