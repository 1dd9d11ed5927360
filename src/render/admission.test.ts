import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canaryPolicy } from '../schema/policy.js';
import target from './admission.js';

describe('render admission', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-admission-'));
  const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  writeFileSync(join(dir, 'cosign.pub'), pem);
  const policy = canaryPolicy.parse({
    apiVersion: 'adaptive-canary/v1',
    kind: 'CanaryPolicy',
    metadata: { name: 'p' },
    spec: { service: 'maestro-api' },
  });
  const files = target.render({ policy, policyDir: dir, env: {} }) as { path: string; content: string }[];

  it('writes a Kyverno validate.manifests policy carrying the public key', () => {
    const kyverno = files.find((f) => f.path === 'policy/kyverno-verify-rollout-manifests.yaml')!;
    const [doc] = parseAllDocuments(kyverno.content).map((d) => d.toJS() as unknown) as ReturnType<typeof JSON.parse>[];
    expect(doc).toMatchObject({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy' });
    const rule = doc.spec.rules[0];
    expect(rule.match.any[0].resources.kinds).toEqual(['argoproj.io/v1alpha1/Rollout']);
    expect(rule.validate.failureAction).toBe('Enforce');
    expect(rule.validate.manifests.attestors[0].entries[0].keys.publicKeys).toBe(pem);
    expect(rule.validate.manifests.ignoreFields[0].fields).toContain(
      'metadata.annotations.rollout.argoproj.io/revision',
    );
  });

  it('writes a ValidatingAdmissionPolicy and binding requiring both signature annotations on Rollouts', () => {
    const vap = files.find((f) => f.path === 'policy/vap-require-signed-rollouts.yaml')!;
    const [policyDoc, binding] = parseAllDocuments(vap.content).map((d) => d.toJS() as unknown) as ReturnType<
      typeof JSON.parse
    >[];
    expect(policyDoc.kind).toBe('ValidatingAdmissionPolicy');
    expect(policyDoc.spec.matchConstraints.resourceRules[0]).toMatchObject({
      apiGroups: ['argoproj.io'],
      resources: ['rollouts'],
    });
    expect(policyDoc.spec.validations[0].expression).toContain(
      "'cosign.sigstore.dev/signature' in object.metadata.annotations",
    );
    expect(binding).toMatchObject({
      kind: 'ValidatingAdmissionPolicyBinding',
      spec: { policyName: policyDoc.metadata.name, validationActions: ['Deny'] },
    });
  });

  it('refuses to render with a missing or invalid key', () => {
    writeFileSync(join(dir, 'bad.pub'), 'not a key');
    const bad = canaryPolicy.parse({ ...policy, spec: { service: 'maestro-api', signing: { publicKey: 'bad.pub' } } });
    expect(() => target.render({ policy: bad, policyDir: dir, env: {} })).toThrow(/not a PEM/);
  });
});
