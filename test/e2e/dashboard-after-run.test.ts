import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../src/evidence/log.js';
import { ADAPTIVE_CANARY_BIN } from '../support/built-cli.js';
import { installedBinary } from '../support/binaries.js';
import { failReason, passReason, steppingClock } from '../support/evidence-fixtures.js';
import { collectErrors, launchChromium } from './support/browser.js';

// The dashboard after the run: the demo on a terminal keeps serving it until Ctrl-C, and `adaptive-canary
// dashboard` serves past rollouts from an evidence folder, read-only. Both in Debian Chromium.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first capture group of `pattern` once the output matches it. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

function track(child: ChildProcess): Running {
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 120_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${out}`)), timeoutMs);
      const look = (): void => {
        const m = pattern.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] ?? m[0]);
        }
      };
      child.stdout?.on('data', look);
      child.stderr?.on('data', look);
      void exited.then((code) => reject(new Error(`exited (${code}) before ${pattern}:\n${out}`)));
      look();
    });
  return { child, output: () => out, exited, waitFor };
}

describe('the demo on a terminal keeps its dashboard', () => {
  it('serves the finished rollouts after the scenarios end, says so with the URL, and stops at Ctrl-C', async () => {
    expect(existsSync(ADAPTIVE_CANARY_BIN), 'run `npm run build` first').toBe(true);
    const cwd = mkdtempSync(join(tmpdir(), 'dashboard-kept-'));
    dirs.push(cwd);
    // util-linux `script` gives the demo a pseudo-terminal, as a person's shell does; Ctrl-C is a ^C typed into it.
    // `exec`: script runs the command through $SHELL, and a dash in between would die of the same SIGINT (exit 130).
    const demoArgs = 'demo --scenario regression --interval 1s --listen 127.0.0.1:0';
    const command = `exec ${process.execPath} ${ADAPTIVE_CANARY_BIN} ${demoArgs}`;
    const demo = track(
      spawn(installedBinary('script'), ['-qfec', command, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const browser = await launchChromium();
    try {
      const url = await demo.waitFor(/the dashboard keeps serving at (http:\/\/127\.0\.0\.1:\d+\/) — press Ctrl-C/);
      expect(demo.output()).toMatch(/demo passed in/);
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      await page.goto(url);
      const testId = (id: string) => page.getByTestId(id);
      await expect.poll(() => testId('phase').textContent()).toBe('rolled-back');
      await expect.poll(() => testId('reasons').locator('.badge.fail').count()).toBeGreaterThanOrEqual(1);
      expect(await testId('decision-log').locator('tr[data-action="rollback"]').count()).toBe(1);
      expect(await testId('rollbacks').locator('tr[data-rollout]').count()).toBe(1);
      // The demo's own receiver took every signed delivery, the rollback's among them.
      const delivered = testId('webhooks').locator('tr[data-outcome="delivered"]');
      await expect.poll(() => delivered.filter({ hasText: 'rollback' }).count()).toBe(1);
      expect(errors).toEqual([]);
      expect(demo.child.exitCode).toBeNull(); // still serving, well after the scenario ended

      demo.child.stdin?.write('\x03');
      expect(await demo.exited, demo.output()).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      await browser.close();
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    }
  });
});

/** Two past rollouts: a regression rolled back (with a failed webhook delivery) and a promoted one. */
function pastEvidence(): string {
  const base = mkdtempSync(join(tmpdir(), 'dashboard-evidence-'));
  dirs.push(base);
  const root = join(base, '.evidence');
  const observation = (t: number, canaryErrors: number) => ({
    t,
    weight: 10,
    baseline: { requests: 900, errors: 9 },
    canary: { requests: 100, errors: canaryErrors, synthetic: { runs: 4, passed: canaryErrors > 5 ? 3 : 4 } },
  });
  const rollout = (rolloutId: string, startIso: string, bad: boolean) => {
    const log = openEvidence({
      root,
      prRoot: join(base, '.prbodies'),
      service: 'maestro-api',
      rolloutId,
      clock: steppingClock(startIso),
    });
    log.append({ action: 'start', step: 0, weight: 10, score: 1, by: 'judge', reasons: [] });
    for (const t of [10, 20, 30]) {
      const failing = bad && t === 30;
      log.append({
        action: failing ? 'rollback' : 'step',
        step: t === 10 ? 0 : 1,
        weight: failing ? 0 : 10,
        score: failing ? 0.4 : 0.99,
        by: failing ? 'rule:critical-regression' : 'judge',
        verdict: failing ? 'fail' : 'pass',
        reasons: [failing ? failReason : passReason],
        budgetBurn: 0.01,
        inputs: { observation: observation(t, failing ? 49 : 1) },
      });
    }
    if (bad)
      log.recordDelivery({
        v: 1,
        deliveryId: `${rolloutId}-4-rollback`,
        event: 'rollback',
        url: 'https://hooks.example/release-captain',
        outcome: 'failed',
        status: 500,
        attempts: [{ attempt: 1, startedAt: startIso, durationMs: 12, status: 500 }],
        firstAttemptAt: startIso,
        finishedAt: startIso,
        totalMs: 12,
      });
    else log.append({ action: 'promote', step: 1, weight: 100, score: 0.99, by: 'judge', reasons: [passReason] });
    log.finish({
      outcome: bad ? 'rolled-back' : 'promoted',
      rollbackDurationSeconds: bad ? 0.42 : null,
      timeToDecideSeconds: 30,
    });
    log.close();
  };
  rollout('maestro-api-bad', '2026-08-03T10:00:00.000Z', true);
  rollout('maestro-api-good', '2026-08-04T10:00:00.000Z', false);
  return base;
}

describe('adaptive-canary dashboard over past evidence', () => {
  it("shows every rollout's timeline, verdicts, reasons and webhooks, and changes nothing", async () => {
    const cwd = pastEvidence();
    const server = track(
      spawn(process.execPath, [ADAPTIVE_CANARY_BIN, 'dashboard', '--root', '.evidence', '--listen', '127.0.0.1:0'], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const browser = await launchChromium();
    try {
      const url = await server.waitFor(/dashboard: (http:\/\/127\.0\.0\.1:\d+\/) {2}\(read-only: 2 past rollouts/);
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      await page.goto(url);
      const testId = (id: string) => page.getByTestId(id);
      await expect.poll(() => testId('connection').getAttribute('data-state')).toBe('read-only');
      expect(await testId('actions').isHidden()).toBe(true);
      await expect.poll(() => testId('rollout-list').locator('[data-rollout]').count()).toBe(2);

      await testId('rollout-list').locator('[data-rollout="maestro-api-bad"]').click();
      await expect.poll(() => testId('phase').textContent()).toBe('rolled-back');
      expect(await testId('detail').getAttribute('data-intervals')).toBe('3'); // the timeline: one point a decision
      const errorRate = testId('reasons').locator('tr[data-signal="error-rate"]');
      expect(await errorRate.textContent()).toContain('canary error ratio 4.9× baseline (49/1000 vs 10/1000)');
      expect(await errorRate.locator('.badge.fail').count()).toBe(1);
      const rollback = testId('decision-log').locator('tr[data-action="rollback"]');
      expect(await rollback.textContent()).toContain('rule:critical-regression');
      expect(await testId('rollbacks').locator('tr[data-rollout="maestro-api-bad"]').textContent()).toContain('420 ms');
      const delivery = testId('webhooks').locator('tr[data-delivery="maestro-api-bad-4-rollback"]');
      expect(await delivery.getAttribute('data-outcome')).toBe('failed');
      expect(await delivery.textContent()).toMatch(/rollback.*failed.*500.*1.*hooks\.example/);

      await testId('rollout-list').locator('[data-rollout="maestro-api-good"]').click();
      await expect.poll(() => testId('phase').textContent()).toBe('promoted');
      expect(await testId('webhooks').textContent()).toBe('No webhook deliveries.');
      expect(errors).toEqual([]);

      const webhooks = (await (await fetch(`${url}api/v1/rollouts/maestro-api-bad/webhooks`)).json()) as {
        data: { id: string; outcome: string; status: number; attempts: number }[];
      };
      expect(webhooks.data).toEqual([
        expect.objectContaining({ id: 'maestro-api-bad-4-rollback', outcome: 'failed', status: 500, attempts: 1 }),
      ]);
      const promote = await fetch(`${url}api/v1/rollouts/maestro-api-bad/promote`, { method: 'POST' });
      expect(promote.status).toBe(405);
      expect(promote.headers.get('allow')).toBe('GET');

      server.child.kill('SIGINT');
      expect(await server.exited, server.output()).toBe(0);
    } finally {
      await browser.close();
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });

  it('refuses a root without evidence with a usage error', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dashboard-none-'));
    dirs.push(cwd);
    const r = track(spawn(process.execPath, [ADAPTIVE_CANARY_BIN, 'dashboard', '--root', 'nowhere'], { cwd }));
    expect(await r.exited).toBe(2);
    expect(r.output()).toContain('--root: no evidence at nowhere');
  });
});
