import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import grafanaTarget from '../../src/render/grafana.js';
import { dashboardPanels } from '../../src/render/dashboard-panels.js';
import { policySpec } from '../../src/schema/policy.js';

// The rendered Canary Release Overview validated with Ajv 8 against the foundation SDK's own JSON Schema
// (test/fixtures/grafana/, see its README for origin and the known lag between that schema and SDK 0.0.21).
const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/grafana/dashboard.jsonschema.json'), 'utf8'),
) as object;
// `date-time` formats are only in the snapshot part of the schema, which the dashboard does not use.
const validate = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

type Json = Record<string, unknown>;
/** SDK 0.0.21 annotation fields the stored schema does not list yet. */
const ANNOTATION_LAG = ['placement', 'titleFormat', 'textFormat', 'tagKeys', 'step'];
/** SDK 0.0.21 variable fields the stored schema does not list (includeAll/allValue are in older upstream revisions). */
const VARIABLE_LAG = ['allowCustomValue', 'includeAll', 'allValue'];

/**
 * Undo exactly the documented schema lag, and report what was undone so the test can assert it is only that:
 * SDK-only annotation fields, and `null` as the base threshold (Grafana's -Infinity).
 */
function withoutKnownLag(d: Json): { dashboard: Json; undone: string[] } {
  const copy = structuredClone(d);
  const undone: string[] = [];
  const drop = (o: Json, keys: string[], kind: string) => {
    for (const k of keys.filter((key) => key in o)) {
      delete o[k];
      undone.push(`${kind}.${k}`);
    }
  };
  for (const a of (copy.annotations as Json).list as Json[]) drop(a, ANNOTATION_LAG, 'annotation');
  for (const v of (copy.templating as Json).list as Json[]) drop(v, VARIABLE_LAG, 'variable');
  for (const p of copy.panels as Json[]) {
    const steps = (((p.fieldConfig as Json).defaults as Json).thresholds as { steps: { value: number | null }[] })
      .steps;
    if (steps[0]?.value !== null) continue;
    steps[0].value = -Number.MAX_VALUE;
    undone.push('threshold.base-null');
  }
  return { dashboard: copy, undone: [...new Set(undone)].sort() };
}

const spec = policySpec.parse({ service: 'maestro-api' });

/** The file `render grafana` writes, parsed back. */
async function canaryDashboard(s: typeof spec): Promise<Json> {
  const [file] = await grafanaTarget.render({
    policy: { apiVersion: 'adaptive-canary/v1', kind: 'CanaryPolicy', metadata: { name: 'x' }, spec: s },
    policyDir: '.',
    env: {},
  });
  expect(file!.path).toBe('dashboard/grafana/canary-release-overview.json');
  return JSON.parse(file!.content) as Json;
}

describe('Canary Release Overview dashboard', () => {
  it('validates against the SDK JSON Schema once the documented lag is undone', async () => {
    const d = await canaryDashboard(spec);
    const { dashboard, undone } = withoutKnownLag(d);
    expect(undone).toEqual([
      'annotation.placement',
      'annotation.step',
      'annotation.tagKeys',
      'annotation.textFormat',
      'annotation.titleFormat',
      'threshold.base-null',
      'variable.allValue',
      'variable.allowCustomValue',
      'variable.includeAll',
    ]);
    const ok = validate(dashboard);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema has teeth: a missing schemaVersion or a partial gridPos fails with a path', async () => {
    const { dashboard } = withoutKnownLag(await canaryDashboard(spec));
    delete dashboard.schemaVersion;
    expect(validate(dashboard)).toBe(false);
    expect(
      validate.errors!.some(
        (e) =>
          e.keyword === 'required' && (e.params as { missingProperty: string }).missingProperty === 'schemaVersion',
      ),
    ).toBe(true);
    const { dashboard: d2 } = withoutKnownLag(await canaryDashboard(spec));
    delete ((d2.panels as Json[])[3]!.gridPos as Json).h;
    expect(validate(d2)).toBe(false);
    expect(validate.errors!.some((e) => e.instancePath === '/panels/3/gridPos')).toBe(true);
  });

  it(
    'has every panel the playbook asks for, each query with a refId, on ' + 'the 24-column grid without overlap',
    async () => {
      const d = (await canaryDashboard(spec)) as unknown as {
        uid: string;
        panels: {
          title: string;
          gridPos: { x: number; y: number; w: number; h: number };
          targets: { refId?: string; expr: string }[];
        }[];
        annotations: { list: Json[] };
      };
      expect(d.uid).toBe('maestro-api-canary');
      const titles = d.panels.map((p) => p.title).join(' | ');
      for (const t of [
        'Request rate',
        'Error ratio',
        'Latency quantiles',
        'Composite score',
        'Synthetic availability',
        'Error budget burn',
        'Canary weight and step',
        'Rollback duration histogram',
      ])
        expect(titles).toContain(t);
      expect(d.panels.flatMap((p) => p.targets).every((t) => typeof t.refId === 'string' && t.expr.length > 0)).toBe(
        true,
      );
      expect(JSON.stringify(d.panels)).toContain('maestro_api_rollback_duration_seconds_bucket');
      const cells = new Set<string>();
      for (const { gridPos: g } of d.panels) {
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
      expect(d.annotations.list.map((a) => a.name)).toEqual(['Canary decisions (controller)', 'Decisions (metrics)']);
      expect(d.annotations.list[0]!.target).toEqual({
        type: 'tags',
        tags: ['adaptive-canary', 'maestro-api'],
        limit: 100,
        matchAny: false,
      });
      expect(dashboardPanels(spec).length).toBe(d.panels.length);
    },
  );
});
