import { describe, expect, it } from 'vitest';
import { templatePodHash, type ExperimentObject } from './experiment-status.js';

const ex = (status: ExperimentObject['status'], terminate = false): ExperimentObject => ({
  metadata: { name: 'maestro-api-c4n4ry-2-1' },
  spec: { terminate, templates: [{ name: 'baseline' }] },
  status,
});

describe('templatePodHash', () => {
  it("reads the named template's pod-template-hash from the Experiment status", () => {
    const running = ex({
      phase: 'Running',
      templateStatuses: [
        { name: 'canary', podTemplateHash: 'aaa111' },
        { name: 'baseline', podTemplateHash: 'b4s3' },
      ],
    });
    expect(templatePodHash(running, 'baseline')).toBe('b4s3');
    expect(templatePodHash(running, 'canary')).toBe('aaa111');
    expect(templatePodHash(running, 'other')).toBeNull();
  });

  it('is null before the ReplicaSet exists, and once the experiment finished or is terminating', () => {
    expect(templatePodHash(ex({ phase: 'Pending' }), 'baseline')).toBeNull();
    expect(templatePodHash(ex({ phase: 'Pending', templateStatuses: [{ name: 'baseline' }] }), 'baseline')).toBeNull();
    const withHash = { templateStatuses: [{ name: 'baseline', podTemplateHash: 'b4s3' }] };
    expect(templatePodHash(ex({ phase: 'Successful', ...withHash }), 'baseline')).toBeNull();
    expect(templatePodHash(ex({ phase: 'Running', ...withHash }, true), 'baseline')).toBeNull();
  });
});
