import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervalPoint } from '../../src/controller/snapshot.js';
import { DEFAULT_STATE_FILE, StateStore } from '../../src/controller/state-store.js';
import { initialState } from '../../src/engine/rollout-machine.js';
import { planFromPolicy } from '../../src/engine/rollout-plan.js';
import type { Assessment } from '../../src/engine/assessment.js';
import type { IntervalObservation } from '../../src/schema/observation.js';
import { canaryPolicy } from '../../src/schema/policy.js';
import { runCli } from '../support/supply-chain-cli.js';
import { copyExample, serveSuiteInfo, writeHistory } from './support/preflight-fixture.js';
import { loadDocumentFile } from '../../src/read-input.js';

/**
 * The error-budget check without Prometheus: burn from the local controller's state database (the embedded
 * history), written here through the controller's own StateStore. One interval per minute over the last hour,
 * 1,000 requests each across both variants; the check must count only maestro-api's intervals inside the 1h
 * burn window and apply the engine's formula (ratio / (1 − 0.999) × 1h / 30d).
 */
const MINUTE = 60_000;
const assessment: Assessment = { verdict: 'pass', score: 1, reasons: [] };

interface Interval {
  endedAt: number;
  baseline: [number, number];
  canary: [number, number];
}

/** One rollout with these intervals, written the way the controller writes them (create, then one transition each). */
async function writeRollout(file: string, id: string, service: string, intervals: Interval[]): Promise<void> {
  const policyFile = join(copyExample(), 'canary.yaml');
  const spec = { ...loadDocumentFile(policyFile, canaryPolicy).value.spec, service };
  const store = await StateStore.open(file);
  try {
    const state = {
      ...initialState(),
      phase: 'progressing' as const,
      weight: 10,
      startedAt: intervals[0]!.endedAt - MINUTE,
    };
    store.create(
      { id, service, plan: planFromPolicy(spec), policy: spec, onsetAt: null, evidenceDir: null },
      state,
      state.startedAt,
    );
    for (const [i, iv] of intervals.entries()) {
      const observation: IntervalObservation = {
        t: (i + 1) * 60,
        weight: 10,
        baseline: { requests: iv.baseline[0], errors: iv.baseline[1] },
        canary: { requests: iv.canary[0], errors: iv.canary[1] },
      };
      store.write(
        id,
        {
          state,
          interval: { observation, assessment, point: intervalPoint(observation, assessment, state, iv.endedAt) },
        },
        iv.endedAt,
      );
    }
  } finally {
    store.close();
  }
}

/** The last hour, one interval per minute (the newest ending now), 900 baseline + 100 canary requests each. */
function lastHour(now: number, errors: (minute: number) => [number, number]): Interval[] {
  return Array.from({ length: 60 }, (_, k) => ({
    endedAt: now - (59 - k) * MINUTE,
    baseline: [900, errors(k)[0]],
    canary: [100, errors(k)[1]],
  }));
}

let history: string;
let suite: { url: string; server: Server };

beforeAll(async () => {
  const dir = copyExample();
  history = join(dir, 'history.db');
  writeHistory(history, { now: Date.now(), days: 7, failures: 5 });
  suite = await serveSuiteInfo(join(dir, 'synthetics/maestro-api-canary.yaml'));
});
afterAll(() => suite.server.close());

const preflight = (cwd: string, extra: string[] = []): ReturnType<typeof runCli> =>
  runCli(
    ['preflight', '--policy', 'canary.yaml', '--synthetics-db', history, '--synthetics-url', suite.url, ...extra],
    { cwd },
  );

describe('preflight error budget from the controller state (no Prometheus)', () => {
  it(
    'passes on healthy traffic, from the default state file run and demo ' + 'write, with the burn and the counts',
    async () => {
      const dir = copyExample();
      const now = Date.now();
      const db = join(dir, DEFAULT_STATE_FILE);
      // 30 errors in 60,000 requests: 0.0005 / 0.001 × 1/720 = 0.0694% of the budget.
      await writeRollout(
        db,
        'maestro-api-healthy',
        'maestro-api',
        lastHour(now, (k) => (k % 2 === 0 ? [1, 0] : [0, 0])),
      );
      // Outside the window or another service: must not count (each alone would fail the check).
      await writeRollout(db, 'maestro-api-yesterday', 'maestro-api', [
        { endedAt: now - 2 * 3_600_000, baseline: [900, 900], canary: [100, 100] },
      ]);
      await writeRollout(
        db,
        'billing-now',
        'billing',
        lastHour(now, () => [900, 100]),
      );
      const r = await preflight(dir);
      expect(r.stdout).toMatch(
        new RegExp(
          String.raw`^✓ error-budget: 0\.07% of the 30d error budget burned in th` +
            String.raw`e last 1h \(limit 10\.00%, SLO 0\.999\) from the controller ` +
            String.raw`state .*\.adaptive-canary\/state\.db: 30 errors in 60000 req` +
            String.raw`uests over 60 interval\(s\) of 1 rollout\(s\)$`,
          'm',
        ),
      );
      expect(r.stdout).toMatch(/Ready: every check passed\./);
      expect(r.code).toBe(0);
      const json = JSON.parse((await preflight(dir, ['--json'])).stdout) as {
        checks: { name: string; details?: { burn: number; errorRatio: number } }[];
      };
      const budget = json.checks.find((c) => c.name === 'error-budget')!.details!;
      expect(budget.errorRatio).toBe(0.0005);
      expect(budget.burn).toBeCloseTo(0.0005 / 0.001 / 720, 12);
    },
  );

  it('fails on an error burst, with the burn and the limit', async () => {
    const dir = copyExample();
    const db = join(dir, 'burst.db');
    // Ten minutes at 60% 5xx on both variants: 6,000 errors in 60,000 requests → 0.1 / 0.001 × 1/720 = 13.89%.
    await writeRollout(
      db,
      'maestro-api-burst',
      'maestro-api',
      lastHour(Date.now(), (k) => (k >= 50 ? [540, 60] : [0, 0])),
    );
    const r = await preflight(dir, ['--state', 'burst.db']);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✗ error-budget: 13\.89% of the 30d error budget burned in t` +
          String.raw`he last 1h \(limit 10\.00%, SLO 0\.999\) from the controller` +
          String.raw` state .*burst\.db: 6000 errors in 60000 requests over 60 in` +
          String.raw`terval\(s\) of 1 rollout\(s\)$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/Not ready: 1 failed, 0 unknown\./);
    expect(r.code).toBe(1);
  });

  it('is unknown, saying why, without a state file or without traffic in the window', async () => {
    const dir = copyExample();
    const none = await preflight(dir);
    expect(none.stdout).toMatch(
      new RegExp(
        String.raw`^\? error-budget: no --prometheus URL, and no controller sta` +
          String.raw`te at .*\.adaptive-canary\/state\.db \(run or demo write it;` +
          String.raw` --state names another\)$`,
        'm',
      ),
    );
    expect(none.code).toBe(1);
    const db = join(dir, 'old.db');
    await writeRollout(db, 'maestro-api-old', 'maestro-api', [
      { endedAt: Date.now() - 3 * 3_600_000, baseline: [900, 0], canary: [100, 0] },
    ]);
    const old = await preflight(dir, ['--state', 'old.db']);
    expect(old.stdout).toMatch(
      /^\? error-budget: the controller state .*old\.db has no maestro-api requests in the last 1h$/m,
    );
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'not a database');
    const bad = await preflight(dir, ['--state', 'garbage.db']);
    expect(bad.stdout).toMatch(
      /^\? error-budget: cannot read the controller state .*garbage\.db: file is not a database$/m,
    );
    expect(bad.code).toBe(1);
  });
});
