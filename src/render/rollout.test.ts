import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { canaryPolicy } from '../schema/policy.js';
import { criteriaFromPolicy } from './promotion-criteria.js';
import { renderRolloutYaml } from './rollout.js';

// The real Argo Rollouts CRDs (test/fixtures/argo-rollouts/README.md).
const crdDir = join(import.meta.dirname, '../../test/fixtures/argo-rollouts');
type Schema = Record<string, unknown>;

/**
 * openAPIV3Schema → JSON Schema the API server would enforce: int-or-string becomes a union, and objects with
 * declared properties reject unknown fields (the API server prunes them silently; a renderer typo must fail).
 */
function structural(schema: Schema, root = true): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([p, s]) => [
          p,
          root && p === 'metadata' ? { type: 'object' } : structural(s, false),
        ]),
      );
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = structural(v as Schema, false);
    } else out[k] = v;
  }
  if (schema['x-kubernetes-int-or-string'] === true) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const validators = new Map<string, (obj: unknown) => string[]>();
function crdValidator(file: string): (obj: unknown) => string[] {
  const cached = validators.get(file);
  if (cached) return cached;
  const crd = parse(readFileSync(join(crdDir, file), 'utf8'));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
    structural(version.schema.openAPIV3Schema),
  );
  const fn = (obj: unknown): string[] =>
    validate(obj)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  validators.set(file, fn);
  return fn;
}

/** maestro-api in two steps (10% for 5m, 50% for 10m); `spec` adds fields. */
const policyWith = (spec: Record<string, unknown>) =>
  canaryPolicy.parse({
    apiVersion: 'adaptive-canary/v1',
    kind: 'CanaryPolicy',
    metadata: { name: 'maestro-api' },
    spec: {
      service: 'maestro-api',
      steps: [
        { weight: 10, bake: '5m' },
        { weight: 50, bake: '10m' },
      ],
      ...spec,
    },
  });
const policy = policyWith({});

describe('render rollout', () => {
  const docs = parseAllDocuments(renderRolloutYaml(policy)).map((d) => d.toJS() as unknown) as ReturnType<
    typeof JSON.parse
  >[];
  const [ro, at] = docs;

  it('validates against the real Rollout and AnalysisTemplate CRD schemas', () => {
    expect(crdValidator('rollout-crd.yaml')(ro)).toEqual([]);
    expect(crdValidator('analysis-template-crd.yaml')(at)).toEqual([]);
  });

  it('the structural check is not vacuous: a misspelt field and a wrong type fail', () => {
    const bad = structuredClone(ro);
    bad.spec.strategy.canary.stepz = [];
    bad.spec.replicas = 'four';
    expect(crdValidator('rollout-crd.yaml')(bad).join('\n')).toMatch(/stepz[\s\S]*|must be integer/);
    expect(crdValidator('rollout-crd.yaml')(bad).length).toBeGreaterThanOrEqual(2);
  });

  it('turns the policy steps into setWeight/pause and mirrors the promotion criteria as annotations', () => {
    expect(ro.spec.strategy.canary.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: '5m' } },
      { setWeight: 50 },
      { pause: { duration: '10m' } },
    ]);
    for (const [k, v] of Object.entries(criteriaFromPolicy(policy.spec))) {
      expect(ro.metadata.annotations[`adaptive-canary.dev/${k}`]).toBe(v);
    }
    expect(ro.metadata.annotations['adaptive-canary.dev/min-composite-score']).toBe('0.95');
    expect(ro.metadata.annotations['notifications.argoproj.io/subscribe.on-rollout-aborted.adaptive-canary']).toBe('');
  });

  it('asks our analysis endpoint through the web provider with conditions on verdict and score', () => {
    const m = at.spec.metrics[0];
    expect(m.provider.web.url).toMatch(
      /^http:\/\/adaptive-canary\.adaptive-canary\.svc:8080\/api\/v1\/analysis\/default\/maestro-api\?/,
    );
    expect(m.provider.web.jsonPath).toBe('{$.data}');
    expect(m.successCondition).toBe('result.verdict == "pass" && result.score >= 0.95');
    expect(m.failureCondition).toBe('result.verdict == "fail"');
    expect(ro.spec.strategy.canary.analysis.templates[0].templateName).toBe(at.metadata.name);
  });

  it('with rollout.baseline, each bake is an Experiment step runs a stable-spec baseline sized like the canary', () => {
    const withBaseline = policyWith({ rollout: { baseline: true } });
    const [bro, bat] = parseAllDocuments(renderRolloutYaml(withBaseline)).map(
      (d) => d.toJS() as unknown,
    ) as typeof docs;
    expect(crdValidator('rollout-crd.yaml')(bro)).toEqual([]);
    expect(crdValidator('analysis-template-crd.yaml')(bat)).toEqual([]);
    expect(bro.spec.strategy.canary.steps).toEqual([
      { setWeight: 10 },
      { experiment: { duration: '5m', templates: [{ name: 'baseline', specRef: 'stable', replicas: 1 }] } },
      { setWeight: 50 },
      { experiment: { duration: '10m', templates: [{ name: 'baseline', specRef: 'stable', replicas: 2 }] } },
    ]);
    // The CRD check sees the experiment step: a misspelt template field fails.
    const bad = structuredClone(bro);
    bad.spec.strategy.canary.steps[1].experiment.templates[0].specref = 'stable';
    expect(crdValidator('rollout-crd.yaml')(bad).join('\n')).toMatch(/specref|specRef/);
  });

  it('is deterministic', () => {
    expect(renderRolloutYaml(policy)).toBe(renderRolloutYaml(policy));
  });
});
