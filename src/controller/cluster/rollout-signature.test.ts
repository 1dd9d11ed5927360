import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RolloutObject } from '../../actuators/argo/rollout-status.js';
import { policySpec } from '../../schema/policy.js';
import { annotateManifests } from '../../supply-chain/manifest-annotations.js';
import { checkRolloutSignature } from './rollout-signature.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const manifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'maestro-api', namespace: 'shop' },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: 'maestro-api:2' }] } } },
};
const signed = parse(annotateManifests(stringify(manifest), privateKey)) as RolloutObject;
const required = policySpec.parse({ service: 'maestro-api' });

describe('checkRolloutSignature (serve)', () => {
  it('passes a live Rollout signed in place: status and fields the cluster added are not compared', () => {
    const live = {
      ...signed,
      metadata: {
        ...signed.metadata,
        resourceVersion: '7',
        annotations: { ...signed.metadata.annotations, 'adaptive-canary.dev/state': '{}' },
      },
      status: { phase: 'Paused' },
    };
    expect(checkRolloutSignature(live, required, { publicKey })).toBeUndefined();
  });
  it('refuses a changed signed field, an unsigned Rollout and a missing key; --allow-unsigned warns instead', () => {
    const tampered = { ...signed, spec: { ...(signed.spec as object), replicas: 9 } } as RolloutObject;
    expect(() => checkRolloutSignature(tampered, required, { publicKey })).toThrow(
      /differs from what was signed: spec\.replicas/,
    );
    expect(() => checkRolloutSignature(manifest as RolloutObject, required, { publicKey })).toThrow(
      expect.objectContaining({ code: 'E_MANIFEST_SIGNATURE' }),
    );
    expect(() => checkRolloutSignature(signed, required, {})).toThrow(/no public key .*--public-key/);
    expect(checkRolloutSignature(tampered, required, { publicKey, allowUnsigned: true })).toMatch(
      /^--allow-unsigned: driving the Rollout although/,
    );
  });
  it('does nothing when the policy does not require signatures', () => {
    expect(
      checkRolloutSignature(
        manifest as RolloutObject,
        policySpec.parse({ service: 'maestro-api', signing: { required: false } }),
        {},
      ),
    ).toBeUndefined();
  });
});
