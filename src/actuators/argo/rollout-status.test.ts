import { describe, expect, it } from 'vitest';
import { nextStepWeight, passedStepWeight, promotePatches, viewRollout, type RolloutObject } from './rollout-status.js';

const steps = [{ setWeight: 10 }, { pause: {} }, { setWeight: 25 }, { pause: {} }];
function ro(status: RolloutObject['status'], paused = false): RolloutObject {
  return { metadata: { name: 'r' }, spec: { paused, strategy: { canary: { steps } } }, status };
}

describe('promotePatches: the kubectl argo rollouts promote table', () => {
  it('clears pause conditions only, when there are any', () => {
    expect(
      promotePatches(ro({ currentStepIndex: 1, pauseConditions: [{ reason: 'CanaryPauseStep' }] }), false),
    ).toEqual({ status: { status: { pauseConditions: null } } });
  });
  it('inconclusive analysis with controllerPause also clears controllerPause and advances the step', () => {
    const p = promotePatches(
      ro({ currentStepIndex: 1, controllerPause: true, pauseConditions: [{ reason: 'InconclusiveAnalysisRun' }] }),
      false,
    );
    expect(p).toEqual({ status: { status: { pauseConditions: null, controllerPause: false, currentStepIndex: 2 } } });
  });
  it('without pause conditions advances currentStepIndex (capped at the step count) and unpauses spec', () => {
    expect(promotePatches(ro({ currentStepIndex: 3 }, true), false)).toEqual({
      spec: { spec: { paused: false } },
      status: { status: { pauseConditions: null, currentStepIndex: 4 } },
    });
    expect(promotePatches(ro({ currentStepIndex: 4 }), false).status).toEqual({
      status: { pauseConditions: null, currentStepIndex: 4 },
    });
  });
  it('--full sets promoteFull only while the canary is not stable yet', () => {
    expect(promotePatches(ro({ currentPodHash: 'b', stableRS: 'a' }), true)).toEqual({
      status: { status: { promoteFull: true } },
    });
    expect(promotePatches(ro({ currentPodHash: 'a', stableRS: 'a' }), true)).toEqual({});
  });
});

describe('viewRollout', () => {
  it('reads phase, step, weights and hashes', () => {
    const v = viewRollout(
      ro({
        phase: 'Paused',
        currentStepIndex: 1,
        pauseConditions: [{ reason: 'CanaryPauseStep' }],
        currentPodHash: 'b',
        stableRS: 'a',
        canary: { weights: { canary: { weight: 10 } } },
      }),
    );
    expect(v).toMatchObject({
      phase: 'Paused',
      paused: true,
      currentStepIndex: 1,
      stepCount: 4,
      canaryWeight: 10,
      promoted: false,
      aborted: false,
    });
    expect(nextStepWeight(ro({ currentStepIndex: 1 }))).toBe(25);
    expect(nextStepWeight(ro({ currentStepIndex: 3 }))).toBeNull();
  });
});

describe('passedStepWeight', () => {
  it('is true only for setWeight steps at or before the current step', () => {
    expect(passedStepWeight(ro({ currentStepIndex: 3 }), 10)).toBe(true);
    expect(passedStepWeight(ro({ currentStepIndex: 3 }), 25)).toBe(true);
    expect(passedStepWeight(ro({ currentStepIndex: 1 }), 25)).toBe(false);
    expect(passedStepWeight(ro({ currentStepIndex: 3 }), 40)).toBe(false);
  });
});
