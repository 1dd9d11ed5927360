import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ServerModule from '../../src/server/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { collectErrors, launchChromium } from './support/browser.js';
import {
  FakeControllerView,
  decision,
  makeInterval,
  makeSnapshot,
  regressionReasons,
} from './support/fake-controller-view.js';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, 'test', 'artifacts');
// The built server, so the test also proves `npm run build` ships the dashboard's assets in dist/.
const distServer = join(root, 'dist', 'server', 'index.js');
const cli = join(root, 'dist', 'bin', 'adaptive-canary.js');

async function startBuiltServer(opts: { view: FakeControllerView; token?: string }): Promise<RunningServer> {
  if (!existsSync(distServer)) throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
  const mod = (await import(pathToFileURL(distServer).href)) as typeof ServerModule;
  return mod.startServer({ listen: '127.0.0.1:0', registry: new Registry(), ...opts });
}

/** A rolled-back regression and a healthy rollout still progressing, as the controller would report them. */
function scriptedView(): FakeControllerView {
  const view = new FakeControllerView();
  const bad = makeSnapshot({ id: 'maestro-api-regression', startedAt: '2025-06-06T09:00:00.000Z' });
  view.upsert(bad);
  view.decide(bad.id, decision(bad, 'start', 'judge', []));
  for (let i = 1; i <= 4; i++) {
    const failing = i >= 3;
    view.interval(
      bad.id,
      makeInterval(i, {
        score: failing ? 0.6 : 0.99,
        verdict: failing ? 'fail' : 'inconclusive',
        syntheticAvailability: failing ? 0.8 : 1,
        canaryErrors: failing ? 61 : 0,
      }),
    );
  }
  const s = view.rollouts.get(bad.id)!;
  Object.assign(s, {
    phase: 'rolled-back',
    weight: 0,
    verdict: 'fail',
    reasons: regressionReasons,
    rollbackDurationSeconds: 0.42,
    timeToDecideSeconds: 40,
  });
  view.decide(bad.id, decision(s, 'rollback', 'rule:synthetic-consecutive', regressionReasons));

  const good = makeSnapshot({ id: 'maestro-api-healthy', startedAt: '2025-06-06T10:00:00.000Z' });
  view.upsert(good);
  view.decide(good.id, decision(good, 'start', 'judge', []));
  for (let i = 1; i <= 3; i++) view.interval(good.id, makeInterval(i, { score: 0.97 + i * 0.005 }));
  return view;
}

describe('dashboard in Chromium (scripted controller view)', () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const view = scriptedView();

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startBuiltServer({ view, token: 'e2e-secret-token' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'loads without console errors, follows the running rollout live, shows ' +
      'the rollback and refuses promote without a token',
    async () => {
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      await page.goto(server.url);
      const testId = (id: string) => page.getByTestId(id);

      // The running rollout is selected and its numbers are on screen.
      await expect.poll(() => testId('rollout-id').textContent()).toBe('maestro-api-healthy');
      await expect.poll(() => testId('connection').getAttribute('data-state')).toBe('live');
      expect(await testId('phase').textContent()).toBe('progressing');
      expect(await testId('score-chart').locator('canvas').count()).toBe(1);

      // Live: the controller moves to step 2 at 25%; the page follows without a reload.
      for (let i = 4; i <= 6; i++)
        view.interval('maestro-api-healthy', makeInterval(i, { step: 1, weight: 25, score: 0.99 }));
      const s = view.rollouts.get('maestro-api-healthy')!;
      view.decide(s.id, decision(s, 'step', 'judge', []));
      await expect.poll(() => testId('weight').textContent()).toContain('canary weight 25%');
      expect(await testId('step').textContent()).toBe('2 / 4');
      await expect.poll(() => testId('decision-log').locator('tr').count()).toBe(2);
      await page.screenshot({ path: join(artifacts, 'dashboard-live.png'), fullPage: true });
      expect(errors).toEqual([]);

      // The rollback, with its reasons and duration.
      await testId('rollout-list').locator('[data-rollout="maestro-api-regression"]').click();
      await expect.poll(() => testId('phase').textContent()).toBe('rolled-back');
      const errorRate = testId('reasons').locator('tr[data-signal="error-rate"]');
      await expect
        .poll(() => errorRate.textContent())
        .toContain('canary 15× baseline (6.3–36), 61 vs 4 expected errors — regressed');
      expect(await errorRate.textContent()).toContain('mixture-likelihood-ratio');
      expect(await testId('reasons').locator('tr[data-signal="synthetic"]').textContent()).toContain(
        'canary probes passed 80% < 95%',
      );
      expect(await testId('decision-log').locator('tr[data-action="rollback"]').textContent()).toContain(
        'rule:synthetic-consecutive',
      );
      expect(await testId('rollbacks').locator('tr[data-rollout="maestro-api-regression"]').textContent()).toContain(
        '420 ms',
      );
      expect(await testId('action-promote').isDisabled()).toBe(true);
      await page.screenshot({ path: join(artifacts, 'dashboard-rollback.png'), fullPage: true });

      // Promote without a token (and with a wrong one) is refused; nothing reaches the controller.
      await testId('rollout-list').locator('[data-rollout="maestro-api-healthy"]').click();
      await expect.poll(() => testId('rollout-id').textContent()).toBe('maestro-api-healthy');
      for (const token of ['', 'not-the-token']) {
        await testId('action-promote').click();
        await testId('token-input').fill(token);
        await testId('token-confirm').click();
        await expect.poll(() => testId('action-status').textContent()).toContain('promote refused (E_UNAUTHORIZED)');
        await testId('action-status').evaluate((n) => (n.textContent = ''));
      }
      expect(view.actions).toEqual([]);
      expect(await testId('phase').textContent()).toBe('progressing');
      await testId('action-promote').click();
      await testId('token-input').fill('not-the-token');
      await testId('token-confirm').click();
      await expect.poll(() => testId('action-status').textContent()).toContain('E_UNAUTHORIZED');
      await page.screenshot({ path: join(artifacts, 'dashboard-promote-refused.png'), fullPage: true });
      // The only errors after load are Chromium's notes about the refused (401) requests.
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);

      // With the right token the same button works, proving the refusal was about the token.
      await testId('action-promote').click();
      await testId('token-input').fill('e2e-secret-token');
      await testId('token-confirm').click();
      await expect.poll(() => testId('phase').textContent()).toBe('promoted');
      expect(view.actions).toEqual([{ id: 'maestro-api-healthy', action: 'promote', actor: 'user:api' }]);
      await page.close();
    },
  );
});

/**
 * The README's screenshot is one this test took. It is refreshed when missing or when asked
 * (UPDATE_DOCS_SCREENSHOT=1), so ordinary runs do not rewrite a tracked binary.
 */
function publishScreenshot(name: string): void {
  const dest = join(root, 'docs', 'images', 'dashboard.png');
  if (existsSync(dest) && process.env.UPDATE_DOCS_SCREENSHOT !== '1') return;
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(artifacts, name), dest);
}

/** Starts the built `adaptive-canary demo` and resolves with its dashboard URL once it prints one. */
function startDemo(cwd: string, token: string) {
  const child = spawn(process.execPath, [cli, 'demo', '--scenario', 'all', '--no-ui', '--listen', '127.0.0.1:0'], {
    cwd,
    env: { ...process.env, ADAPTIVE_CANARY_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (b: Buffer) => (output.stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output.stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo printed no dashboard URL:\n${output.stdout}\n${output.stderr}`)),
      60_000,
    );
    const look = () => {
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output.stdout + output.stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then((code) => reject(new Error(`demo exited (${code}) before printing its URL:\n${output.stderr}`)));
  });
  return { child, url, exited, output };
}

describe('dashboard in Chromium (the real `adaptive-canary demo`)', () => {
  it(
    'follows the demo live, refuses promote without the token, and shows ' + 'the rollbacks with their reasons',
    async () => {
      expect(existsSync(cli), 'run `npm run build` first').toBe(true);
      const cwd = mkdtempSync(join(tmpdir(), 'dashboard-demo-'));
      const demo = startDemo(cwd, 'demo-e2e-token');
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        const errors = collectErrors(page);
        await page.goto(await demo.url);
        const testId = (id: string) => page.getByTestId(id);
        await expect.poll(() => testId('connection').getAttribute('data-state')).toBe('live');

        // Live: the selected rollout gains intervals without a reload.
        await expect.poll(() => testId('detail').getAttribute('data-intervals'), { timeout: 30_000 }).not.toBeNull();
        const first = Number(await testId('detail').getAttribute('data-intervals'));
        await expect
          .poll(async () => Number(await testId('detail').getAttribute('data-intervals')), { timeout: 30_000 })
          .toBeGreaterThanOrEqual(first + 2);

        // Promote refused without the token, by the real controller's server.
        const active = await testId('detail').getAttribute('data-selected-rollout');
        if (await testId('action-promote').isEnabled()) {
          await testId('action-promote').click();
          await testId('token-confirm').click();
          await expect.poll(() => testId('action-status').textContent()).toContain('promote refused (E_UNAUTHORIZED)');
        }
        await page.screenshot({ path: join(artifacts, 'demo-live.png'), fullPage: true });

        // The regression is rolled back; its reasons and rollback duration are on the page.
        const list = testId('rollout-list');
        const rolledBack = list.locator('[data-rollout]:has(.badge.rolled-back)');
        await expect.poll(() => rolledBack.count(), { timeout: 150_000 }).toBeGreaterThanOrEqual(1);
        await rolledBack.first().click();
        await expect.poll(() => testId('phase').textContent()).toBe('rolled-back');
        await expect.poll(() => testId('reasons').locator('.badge.fail').count()).toBeGreaterThanOrEqual(1);
        const rollbackRow = testId('decision-log').locator('tr[data-action="rollback"]');
        expect(await rollbackRow.count()).toBe(1);
        expect(await rollbackRow.locator('li').count()).toBeGreaterThanOrEqual(1);
        const id = await testId('detail').getAttribute('data-selected-rollout');
        expect(await testId('rollbacks').locator(`tr[data-rollout="${id}"] td`).nth(2).textContent()).toMatch(
          /^\d+(\.\d+)? (ms|s)$/,
        );
        expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
        expect(active).toBeTruthy();

        // Wait for the demo to finish: every rollout decided, exit 0 (healthy and cold start promoted, the others
        // rolled back).
        await expect
          .poll(() => list.locator('[data-rollout]:has(.badge.progressing, .badge.pending, .badge.holding)').count(), {
            timeout: 150_000,
          })
          .toBe(0);
        // The cold start was judged against its baseline, and the page says so among its reasons.
        await list.locator('[data-rollout^="cold-start-"]').click();
        await expect.poll(() => testId('phase').textContent()).toBe('promoted');
        expect(await testId('reasons').textContent()).toContain('canary compared with the baseline');
        await page.screenshot({ path: join(artifacts, 'demo-finished.png'), fullPage: true });
        publishScreenshot('demo-finished.png');
        expect(await demo.exited, demo.output.stderr).toBe(0);
      } finally {
        await browser.close();
        if (demo.child.exitCode === null) demo.child.kill('SIGTERM');
        await demo.exited;
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});
