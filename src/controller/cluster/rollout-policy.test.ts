import { describe, expect, it } from 'vitest';
import { policyFromAnnotation } from './rollout-policy.js';

describe('policyFromAnnotation', () => {
  it('accepts a whole CanaryPolicy document or just its spec, as YAML or JSON', () => {
    const doc =
      'apiVersion: adaptive-canary/v1\nkind: CanaryPolicy\nmetadata: {name: ' +
      'p}\nspec: {service: maestro-api, interval: 30s}\n';
    expect(policyFromAnnotation(doc, 'shop/maestro-api')).toMatchObject({ service: 'maestro-api', interval: 30_000 });
    expect(policyFromAnnotation('{"service":"maestro-api"}', 'shop/maestro-api').service).toBe('maestro-api');
  });
  it('names the Rollout and the field when the policy is invalid', () => {
    expect(() => policyFromAnnotation('{"service":"Bad Name"}', 'shop/x')).toThrow(
      /shop\/x: invalid adaptive-canary.dev\/policy: service/,
    );
    expect(() => policyFromAnnotation('{', 'shop/x')).toThrow(/not YAML\/JSON/);
  });
});
