import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markRollout } from '../cli/mark.js';
import { openEvidence } from '../log.js';
import { steppingClock, tempWorkspace, writeRollout } from '../../../test/support/evidence-fixtures.js';
import { buildEvidenceReview, buildStandup } from './build.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

const NOW = Date.parse('2026-08-07T17:00:00Z');

/** A week of evidence with numbers chosen so every figure in the report can be computed by hand. */
function week() {
  const ws = tempWorkspace('report-');
  const at = { root: ws.root, prRoot: ws.prRoot };
  const rollouts: [string, string, 'promoted' | 'rolled-back', number | undefined, number, number][] = [
    // id, service, outcome, rollback s, time to decide s, budget burn
    ['p1', 'maestro-api', 'promoted', undefined, 100, 0.02],
    ['p2', 'billing', 'promoted', undefined, 200, 0.01],
    ['b1', 'maestro-api', 'rolled-back', 0.5, 10, 0.03],
    ['b2', 'maestro-api', 'rolled-back', 2, 20, 0.04],
    ['b3', 'billing', 'rolled-back', 30, 30, 0.02],
    ['b4', 'maestro-api', 'rolled-back', 400, 40, 0.05],
  ];
  for (const [id, service, outcome, rollback, ttd, burn] of rollouts) {
    writeRollout({ ...at, rolloutId: id, service }, outcome, {
      ...(rollback !== undefined ? { rollbackDurationSeconds: rollback } : {}),
      timeToDecideSeconds: ttd,
      budgetBurn: burn,
    }).close();
  }
  // Outside the 7-day window: must not count.
  writeRollout({ ...at, rolloutId: 'old', clock: steppingClock('2026-07-01T10:00:00Z') }, 'rolled-back', {
    rollbackDurationSeconds: 9999,
  }).close();
  // In flight: counted as in flight, not in any duration.
  const live = openEvidence({
    ...at,
    service: 'maestro-api',
    rolloutId: 'live',
    clock: steppingClock('2026-08-07T16:00:00Z'),
  });
  live.append({ action: 'step', step: 1, weight: 25, score: 0.97, by: 'judge', reasons: [], budgetBurn: 0.001 });
  live.recordDelivery({
    v: 1,
    deliveryId: 'live-1-step',
    event: 'step',
    url: 'https://hooks.example/x',
    outcome: 'failed',
    status: null,
    attempts: [{ attempt: 1, startedAt: 'x', durationMs: 5, error: 'ECONNREFUSED' }],
    firstAttemptAt: 'x',
    finishedAt: 'y',
    totalMs: 5,
  });
  live.recordDelivery({
    v: 1,
    deliveryId: 'live-2-step',
    event: 'step',
    url: 'https://hooks.example/x',
    outcome: 'delivered',
    status: 200,
    attempts: [{ attempt: 1, startedAt: 'x', durationMs: 5, status: 200 }],
    firstAttemptAt: 'x',
    finishedAt: 'y',
    totalMs: 5,
  });
  live.close();
  markRollout({
    rollout: 'b2',
    root: ws.root,
    cwd: ws.base,
    falseAbort: true,
    resolved: true,
    why: 'shared dependency outage hit stable too',
    by: 'qa',
  });
  // b3's review was closed by editing incident.md, as the comment in it says.
  const b3Incident = join(ws.root, 'billing', 'b3', 'incident.md');
  writeFileSync(b3Incident, readFileSync(b3Incident, 'utf8').replace('Status: open', 'Status: resolved'));
  // b4's chain was edited after the fact.
  const b4 = join(ws.root, 'maestro-api', 'b4', 'decisions.jsonl');
  writeFileSync(b4, readFileSync(b4, 'utf8').replace('"score":0.4', '"score":0.9'));
  return { ws, input: { root: ws.root, sinceMs: 7 * 86_400_000, now: NOW, cwd: ws.base } };
}

describe('report', () => {
  it('evidence review: numbers computed from the evidence match hand-computed values', () => {
    const { input } = week();
    const r = buildEvidenceReview(input);
    expect(r.totals).toEqual({ rollouts: 7, promoted: 2, rolledBack: 4, inFlight: 1 });
    // Rollbacks 0.5, 2, 30, 400 s: median (2+30)/2 = 16; p90 = 30 + 0.7×(400−30) = 289; 3 of 4 within 300 s.
    expect(r.rollbackDuration).toMatchObject({ count: 4, median: 16, max: 400, withinTarget: 3 });
    expect(r.rollbackDuration.p90).toBeCloseTo(289, 9);
    // Time to decide 10, 20, 30, 40, 100, 200: median (30+40)/2 = 35; p90 = 100 + 0.5×100 = 150.
    expect(r.timeToDecide).toMatchObject({ count: 6, median: 35, p90: 150 });
    expect(r.falseAbort).toEqual({ rollbacks: 4, marked: 1, rate: 0.25 });
    expect(r.integrity.verified).toBe(7);
    expect(r.integrity.intact).toBe(6);
    expect(r.integrity.broken).toEqual([
      { rollout: 'maestro-api/b4', firstBad: expect.objectContaining({ seq: 4, line: 4 }) },
    ]);
    expect(r.webhooks).toMatchObject({
      deliveries: 2,
      delivered: 1,
      failed: 1,
      abandoned: 0,
      failures: [{ rollout: 'maestro-api/live', deliveryId: 'live-1-step', last: 'ECONNREFUSED', attempts: 1 }],
    });
    expect(r.rollouts.find((x) => x.rolloutId === 'b1')).toMatchObject({
      decidedBy: 'rule:critical-regression',
      rule: 'critical-regression',
      reasons: ['error-rate: canary error ratio 4.9× baseline (49/1000 vs 10/1000)'],
    });
    expect(r.rollouts.map((x) => x.rolloutId)).not.toContain('old');
  });

  it('standup: budget burned per service, releases in flight, open incidents', () => {
    const { input } = week();
    const s = buildStandup(input);
    const byService = Object.fromEntries(s.services.map((x) => [x.service, x]));
    // maestro-api: 0.02 + 0.03 + 0.04 + 0.05 + 0.001 (in flight) = 0.141 > 10% limit; billing: 0.01 + 0.02 = 0.03.
    expect(byService['maestro-api']!.budgetBurn).toBeCloseTo(0.141, 12);
    expect(byService['maestro-api']).toMatchObject({ rollouts: 5, promoted: 1, rolledBack: 3, overLimit: true });
    expect(byService.billing!.budgetBurn).toBeCloseTo(0.03, 12);
    expect(byService.billing!.overLimit).toBe(false);
    expect(s.inFlight).toEqual([
      {
        service: 'maestro-api',
        rolloutId: 'live',
        startedAt: '2026-08-07T16:00:00.000Z',
        step: 1,
        weight: 25,
        score: 0.97,
        lastAction: 'step',
      },
    ]);
    // b2 resolved by a mark, b3 by editing incident.md: b1 and b4 stay open.
    expect(s.openIncidents.map((i) => i.rolloutId).sort()).toEqual(['b1', 'b4']);
    expect(s.openIncidents[0]!.incident).toMatch(/^\.evidence\/maestro-api\/b[14]\/incident\.md$/);
  });

  it('renders Markdown and a self-contained HTML file with inline SVG charts', () => {
    const { input } = week();
    const review = buildEvidenceReview(input);
    const md = renderMarkdown(review);
    expect(md).toContain('| false-abort rate | 25% (1 of 4 rollbacks marked false) |');
    expect(md).toContain('median 16 s, p90 4.817 min');
    expect(md).toContain('`maestro-api/b4`: record 4 (line 4)');
    const html = renderHtml(review);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\/(?!hooks\.example)/);
    expect(html).toContain('5 min');
    const standup = renderHtml(buildStandup(input));
    expect(standup).toContain('10% limit');
    expect(renderMarkdown(buildStandup(input))).toContain('**over the 10% limit**');
  });
});
