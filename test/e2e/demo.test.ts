import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltCliAsync, type CliResult } from '../support/built-cli.js';

const runCli = (args: string[], cwd: string): Promise<CliResult> => runBuiltCliAsync(args, { cwd });

describe('adaptive-canary demo (built CLI)', () => {
  it(
    'promotes the healthy canary and the cold start (against its baseline), rolls back regression and chaos, ' +
      'writes evidence, within about two minutes',
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'ac-demo-'));
      const t0 = Date.now();
      const r = await runCli(['demo', '--scenario', 'all', '--json', '--no-ui', '--listen', '127.0.0.1:0'], cwd);
      const elapsed = (Date.now() - t0) / 1000;
      expect(r.code, r.stderr).toBe(0);
      expect(elapsed).toBeLessThan(150);
      expect(r.stderr).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      const summary = JSON.parse(r.stdout);
      expect(summary.ok).toBe(true);
      const by = Object.fromEntries(summary.rollouts.map((x: { scenario: string }) => [x.scenario, x]));
      expect(by.healthy).toMatchObject({ decision: 'promoted', ok: true, rollbackDurationSeconds: null });
      // The cold canary is stable's code, slow for its first requests; its baseline is as cold, so it is promoted.
      expect(by['cold-start']).toMatchObject({ decision: 'promoted', ok: true, rollbackDurationSeconds: null });
      expect(r.stderr).toMatch(/cold-start-\w+ +t=\d+s .* baseline \d+\/\d+ err \(judged vs it\)/);
      for (const name of ['regression', 'chaos']) {
        expect(by[name]).toMatchObject({ decision: 'rolled-back', ok: true });
        expect(by[name].rollbackDurationSeconds).toBeLessThan(1);
        expect(by[name].timeToDecideSeconds).toBeGreaterThan(0);
        expect(by[name].reason).toMatch(/^[\w-]+: \S/);
        expect(by[name].reason).not.toMatch(/^([\w-]+): \1\b/);
      }
      // No line says a signal twice ("error-rate: error-rate regressed").
      expect(r.stderr).not.toMatch(/\b([\w-]+): \1\b/);
      expect(summary.webhooks.received).toBeGreaterThanOrEqual(3);
      expect(summary.webhooks.verified).toBe(summary.webhooks.received);
      for (const x of summary.rollouts) {
        const dir = join(cwd, '.evidence', 'maestro-api', x.rolloutId);
        expect(readdirSync(dir)).toEqual(expect.arrayContaining(['decisions.jsonl', 'summary.md', 'webhooks.jsonl']));
        expect(existsSync(join(dir, 'incident.md'))).toBe(x.decision === 'rolled-back');
        expect(existsSync(join(cwd, '.prbodies', `${x.rolloutId}.md`))).toBe(true);
        const records: { kind: string; action?: string }[] = readFileSync(join(dir, 'decisions.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { kind: string });
        const decisions = records.filter((rec: { kind: string }) => rec.kind === 'decision');
        // Every recorded reason says its signal once: the message never starts with it (views add it).
        const reasons = decisions.flatMap(
          (d) => (d as { reasons?: { signal: string; message: string }[] }).reasons ?? [],
        );
        expect(reasons.length).toBeGreaterThan(0);
        for (const reason of reasons) expect(reason.message.toLowerCase()).not.toMatch(new RegExp(`^${reason.signal}`));
        expect(decisions.at(-1)?.action).toBe(x.decision === 'promoted' ? 'promote' : 'rollback');
        expect(records.at(-1)).toMatchObject({ kind: 'finish', outcome: x.decision });
        // The decisions say what the canary was compared with: the baseline only where one ran.
        const against = x.scenario === 'cold-start' ? /the baseline \(fresh stable/ : /the stable version serving now/;
        expect(JSON.stringify(decisions)).toMatch(against);
        if (x.scenario !== 'cold-start') expect(JSON.stringify(decisions)).not.toMatch(/the baseline \(fresh stable/);
      }
      const verify = await runCli(['evidence', 'verify'], cwd);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    },
  );
});
