import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { runBuiltCliAsync } from '../support/built-cli.js';
import { freePort } from '../support/free-port.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { untilValue } from '../support/poll.js';
import { startScrapedPair, type ScrapedPair } from '../support/scraped-pair.js';
import { errorRatePolicy, seedAnnotatedRollout, startServeCli, type ServeCli } from '../support/serve-cli.js';

// A regressed canary on a cluster, end to end: the built CLI's `serve` against the in-test API server (it stands
// in for the cluster: Rollouts, Lease, ConfigMaps, Events over HTTP through client-node and a kubeconfig file),
// the Argo simulator, a real Prometheus scraping a healthy stable and a canary whose /api/orders answers 500, and a
// webhook receiver that checks the HMAC itself. Then the laptop side: `evidence pull`, `verify`, `show`.
const NS = 'shop';
const SECRET = 'whsec_e2e_cluster';
const ROLLOUT_ID = `${NS}.maestro-api.c4n4ry`;
let api: KubeApiServer;
let argo: ArgoSimulator;
let pair: ScrapedPair;
let proc: ChildProcess;
let hook: http.Server;
let serve: ServeCli;
let home = '';
let kubeconfig = '';
let keys = '';
const received: { raw: string; signature: string | undefined; delivery: string | undefined }[] = [];

beforeAll(async () => {
  pair = await startScrapedPair(
    { path: '/api/orders', method: 'POST', body: '{}' },
    { faults: { brokenEndpoint: '/api/orders' } },
  );
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        raw: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-adaptive-canary-signature'] as string | undefined,
        delivery: req.headers['x-adaptive-canary-delivery'] as string | undefined,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  api = await KubeApiServer.start();
  argo = new ArgoSimulator(api);
  const policy = errorRatePolicy('30s', {
    prometheus: { url: pair.prom.url, timeout: '2s' },
    webhooks: [{ url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/ci`, secret: '${env:HOOK_SECRET}' }],
  });
  seedAnnotatedRollout(api, argo, NS, policy);
  // The evidence key as deploy/ passes it: a file named by ADAPTIVE_CANARY_EVIDENCE_KEY, its password in the env.
  keys = mkdtempSync(join(tmpdir(), 'ac-evidence-key-'));
  const keygen = await runBuiltCliAsync(['keygen', '--output-key-prefix', 'evidence'], {
    cwd: keys,
    env: { COSIGN_PASSWORD: 'pw' },
  });
  expect(keygen.code, keygen.stderr).toBe(0);
  serve = await startServeCli(api, NS, {
    args: ['--identity', 'pod-x'],
    env: { HOOK_SECRET: SECRET, ADAPTIVE_CANARY_EVIDENCE_KEY: join(keys, 'evidence.key'), COSIGN_PASSWORD: 'pw' },
  });
  proc = serve.proc;
  home = serve.home;
  kubeconfig = serve.kubeconfig;
});

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  argo?.close();
  await api?.close();
  await pair?.stop();
  hook?.closeAllConnections();
  hook?.close();
});

const until = <T>(what: string, get: () => T | undefined, ms = 60_000): Promise<T> =>
  untilValue(what, get, { timeoutMs: ms, detail: () => `serve stderr:\n${serve.stderr()}` });

describe('serve leaves the laptop record on the cluster (built CLI)', () => {
  it(
    'rolls a regressed canary back, sends a signed rollback webhook, puts ' +
      'an Event on the Rollout, and evidence pull + verify, show and report work',
    async () => {
      await until('the abort', () => (api.getRollout(NS, 'maestro-api')?.status?.abort === true ? true : undefined));

      // The rollback webhook: signed with the policy's secret (read from serve's environment), anchored in the chain.
      const rollback = await until('the rollback webhook', () =>
        received.find((r) => (JSON.parse(r.raw) as { event: string }).event === 'rollback'),
      );
      const expected = `sha256=${createHmac('sha256', SECRET).update(rollback.raw).digest('hex')}`;
      expect(rollback.signature).toBe(expected);
      const payload = JSON.parse(rollback.raw) as {
        rolloutId: string;
        deliveryId: string;
        reasons: { signal: string }[];
        evidence: { seq: number; hash: string };
      };
      expect(payload).toMatchObject({ rolloutId: ROLLOUT_ID, deliveryId: rollback.delivery });
      expect(payload.reasons.map((r) => r.signal)).toContain('error-rate');

      // An Event on the Rollout that says why (what `kubectl describe rollout` lists).
      const event = await until('the CanaryRolledBack event', () =>
        api.events.store.list(NS).find((e) => e.reason === 'CanaryRolledBack'),
      );
      expect(event).toMatchObject({
        type: 'Warning',
        reportingController: 'adaptive-canary.dev/controller',
        reportingInstance: 'pod-x',
        regarding: { kind: 'Rollout', name: 'maestro-api', namespace: NS },
      });
      expect(event.note).toMatch(
        new RegExp(
          String.raw`^Rolled back at step 1 \(canary weight now 0%, score [0-9.]+` +
            String.raw`, by [^)]+\): error-rate: .+ \[evidence shop\.maestro-api\.c` +
            String.raw`4n4ry\]$`,
        ),
      );
      expect(Buffer.byteLength(String(event.note))).toBeLessThanOrEqual(1024);

      // The evidence brought home, then checked with the laptop commands, unchanged.
      await until('the finish record in the cluster', () =>
        api.configMaps.store
          .list('adaptive-canary')
          .some((cm) =>
            /"kind":"finish"/.test((cm.data as Record<string, string> | undefined)?.['decisions.jsonl'] ?? ''),
          )
          ? true
          : undefined,
      );
      const pull = await runBuiltCliAsync(['evidence', 'pull', '--kubeconfig', kubeconfig, '--namespace', NS], {
        cwd: home,
      });
      expect(pull.stderr).toBe('');
      expect(pull.code).toBe(0);
      expect(pull.stdout).toMatch(new RegExp(`pulled ${NS}/maestro-api → .evidence/maestro-api/${ROLLOUT_ID}`));
      const dir = join(home, '.evidence', 'maestro-api', ROLLOUT_ID);
      for (const f of ['decisions.jsonl', 'head.json', 'webhooks.jsonl', 'summary.md', 'incident.md'])
        expect(existsSync(join(dir, f)), f).toBe(true);
      expect(readFileSync(join(home, '.prbodies', `${ROLLOUT_ID}.md`), 'utf8')).toMatch(/rolled back|Rolled back/);
      const verify = await runBuiltCliAsync(['evidence', 'verify'], { cwd: home });
      expect(verify.code, verify.stderr).toBe(0);
      // The head serve wrote was signed with the evidence key, and came home signed.
      const signed = await runBuiltCliAsync(['evidence', 'verify', '--key', join(keys, 'evidence.pub'), '--json'], {
        cwd: home,
      });
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.stdout).toMatch(/"signature": "valid"/);
      const show = await runBuiltCliAsync(['evidence', 'show', ROLLOUT_ID, '--json'], { cwd: home });
      expect(show.code).toBe(0);
      const shown = JSON.parse(show.stdout) as {
        records: { seq: number; hash: string; kind: string; action?: string }[];
      };
      expect(shown.records.at(-1)?.kind).toBe('finish');
      // The webhook's anchor is the rollback record itself.
      expect(shown.records.find((r) => r.seq === payload.evidence.seq)).toMatchObject({
        kind: 'decision',
        action: 'rollback',
        hash: payload.evidence.hash,
      });

      // And the team's report counts it as a laptop run's would: one rollout, rolled back, its chain intact.
      const report = await runBuiltCliAsync(['report', '--json'], { cwd: home });
      expect(report.code, report.stderr).toBe(0);
      const numbers = JSON.parse(report.stdout) as {
        totals: Record<string, number>;
        rollbackDuration: { count: number };
        integrity: { verified: number; intact: number; broken: unknown[] };
      };
      expect(numbers.totals).toEqual({ rollouts: 1, promoted: 0, rolledBack: 1, inFlight: 0 });
      expect(numbers.rollbackDuration.count).toBe(1);
      expect(numbers.integrity).toMatchObject({ verified: 1, intact: 1, broken: [] });

      const exited = new Promise<number | null>((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
  );

  it('evidence pull: exit 3 when the API server is unreachable, exit 2 on a bad kubeconfig', async () => {
    const port = await freePort();
    const down = join(home, 'down.kubeconfig');
    writeFileSync(down, readFileSync(kubeconfig, 'utf8').replace(api.url, `http://127.0.0.1:${port}`));
    const unreachable = await runBuiltCliAsync(['evidence', 'pull', '--kubeconfig', down], { cwd: home });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(new RegExp(`Kubernetes API at http://127.0.0.1:${port}.*ECONNREFUSED`));
    expect(unreachable.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const bad = join(home, 'bad.kubeconfig');
    writeFileSync(bad, 'clusters: [this is: not, a kubeconfig');
    const badRun = await runBuiltCliAsync(['evidence', 'pull', '--kubeconfig', bad], { cwd: home });
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toMatch(/cannot load the kubeconfig/);
    const missing = await runBuiltCliAsync(['evidence', 'pull', '--kubeconfig', join(home, 'nope')], { cwd: home });
    expect(missing.code).toBe(2);
  });
});
