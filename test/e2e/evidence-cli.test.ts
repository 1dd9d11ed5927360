import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../src/evidence/log.js';
import { steppingClock, tempWorkspace, writeRollout } from '../support/evidence-fixtures.js';
import { ADAPTIVE_CANARY_BIN as BIN, runBuiltCli, type CliResult } from '../support/built-cli.js';
import { launchChromium } from './support/browser.js';

const cli = (cwd: string, ...args: string[]): CliResult => runBuiltCli(args, { cwd });

describe('adaptive-canary evidence / report (built CLI)', () => {
  let cwd: string;

  beforeAll(() => {
    expect(existsSync(BIN), `${BIN} missing: run npm run build`).toBe(true);
    const ws = tempWorkspace('evidence-cli-');
    cwd = ws.base;
    const at = { root: ws.root, prRoot: ws.prRoot };
    writeRollout({ ...at, rolloutId: 'r-ok' }, 'promoted', { timeToDecideSeconds: 120 }).close();
    writeRollout({ ...at, rolloutId: 'r-bad' }, 'rolled-back', {
      rollbackDurationSeconds: 0.6,
      timeToDecideSeconds: 30,
    }).close();
    writeRollout({ ...at, rolloutId: 'r-slow', service: 'billing' }, 'rolled-back', {
      rollbackDurationSeconds: 360,
      timeToDecideSeconds: 50,
    }).close();
    const live = openEvidence({
      ...at,
      service: 'maestro-api',
      rolloutId: 'r-live',
      clock: steppingClock('2026-08-07T09:00:00Z'),
    });
    live.append({ action: 'step', step: 0, weight: 10, score: 0.98, by: 'judge', reasons: [], budgetBurn: 0.002 });
    live.close();
  });

  let closeBrowser: (() => Promise<void>) | undefined;
  afterAll(async () => closeBrowser?.());

  it('verify: exit 0 when every chain is intact', () => {
    const r = cli(cwd, 'evidence', 'verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {7}\.evidence\/maestro-api\/r-bad: 5 records/m);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    const one = JSON.parse(cli(cwd, 'evidence', 'verify', 'r-ok', '--json').stdout);
    expect(one).toMatchObject({ ok: true, rollouts: [{ ok: true, records: 5, head: { seq: 5 } }] });
  });

  it('list and show', () => {
    const list = cli(cwd, 'evidence', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/billing\s+r-slow\s+rolled-back\s+5\s+ok\s+6 min\s+incident open/);
    expect(JSON.parse(cli(cwd, 'evidence', 'list', '--json').stdout).data).toHaveLength(4);
    const show = cli(cwd, 'evidence', 'show', 'maestro-api/r-bad');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('**rollback** at step 1');
    expect(show.stdout).toContain('canary error ratio 4.9× baseline');
  });

  it('mark appends a chained record; marking a promotion as a false abort is refused', () => {
    const ok = cli(
      cwd,
      'evidence',
      'mark',
      'r-bad',
      '--false-abort',
      '--why',
      'shared dependency outage',
      '--by',
      'qa',
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/marked r-bad as a false abort \(record 6, hash [0-9a-f]{16}…\)/);
    const refused = cli(cwd, 'evidence', 'mark', 'r-ok', '--false-abort', '--why', 'x');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('only a rollback can be a false abort');
    expect(cli(cwd, 'evidence', 'verify', 'r-bad').code).toBe(0);
  });

  it('report --json: the evidence review numbers', () => {
    const r = cli(cwd, 'report', '--json', '--now', '2026-08-07T17:00:00Z');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.totals).toEqual({ rollouts: 4, promoted: 1, rolledBack: 2, inFlight: 1 });
    // Rollbacks 0.6 s and 360 s: median 180.3, p90 = 0.6 + 0.9 × 359.4 = 324.06; one of two within 300 s.
    expect(report.rollbackDuration).toMatchObject({ count: 2, withinTarget: 1, max: 360 });
    expect(report.rollbackDuration.median).toBeCloseTo(180.3, 9);
    expect(report.rollbackDuration.p90).toBeCloseTo(324.06, 9);
    expect(report.timeToDecide).toMatchObject({ count: 3, median: 50 });
    expect(report.falseAbort).toEqual({ rollbacks: 2, marked: 1, rate: 0.5 });
    expect(report.integrity).toMatchObject({ verified: 4, intact: 4, broken: [] });
  });

  it('report --for standup prints Markdown', () => {
    const r = cli(cwd, 'report', '--for', 'standup', '--now', '2026-08-07T17:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Release standup 2026-08-07');
    expect(r.stdout).toMatch(/\| maestro-api \| r-live \| 2026-08-07T09:00:00.000Z \| 0 \| 10% \| 0.98 \| step \|/);
    expect(r.stdout).toContain('**maestro-api/r-bad** rolled back');
  });

  it('report --out report.html writes one self-contained file that a browser renders without any request', async () => {
    const r = cli(cwd, 'report', '--out', 'report.html', '--now', '2026-08-07T17:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote report.html (4 rollouts, 4/4 chains intact)');
    const html = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=/);
    const browser = await launchChromium();
    closeBrowser = () => browser.close();
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(join(cwd, 'report.html')).href);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(await page.locator('svg').count()).toBe(2);
    expect(await page.locator('.card.bad').count()).toBeGreaterThan(0);
    // Kept as a test artifact: what the Friday review looks like.
    await page.screenshot({
      path: fileURLToPath(new URL('../artifacts/evidence-review-report.png', import.meta.url)),
      fullPage: true,
    });
  });

  it('verify: exit 1 naming the first bad record after an edit; exit 2 for an unknown rollout', () => {
    const file = join(cwd, '.evidence', 'billing', 'r-slow', 'decisions.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"weight":20', '"weight":5'));
    const all = cli(cwd, 'evidence', 'verify');
    expect(all.code).toBe(1);
    expect(all.stderr).toContain(
      'TAMPERED .evidence/billing/r-slow: first bad record 3 (decisions.jsonl line 3): record 3 was edited',
    );
    const json = JSON.parse(cli(cwd, 'evidence', 'verify', '.evidence/billing/r-slow', '--json').stdout);
    expect(json).toMatchObject({ ok: false, rollouts: [{ firstBad: { seq: 3, line: 3 } }] });
    const missing = cli(cwd, 'evidence', 'verify', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error [E_ROLLOUT_NOT_FOUND]');
  });
});
