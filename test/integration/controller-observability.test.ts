import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalActuator } from '../../src/actuators/local/local-actuator.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import { openLocalRollout } from '../../src/app/run/open-local-rollout.js';
import { StateStore } from '../../src/controller/state-store.js';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { policySpec } from '../../src/schema/policy.js';
import { silence, spawnCli, traffic, runArgs } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ac-obs-'));

interface Hit {
  path: string;
  body: unknown;
  auth: string | undefined;
  canaryWeight: number | null;
}

/**
 * Alertmanager (API v2 silences and alerts) and Grafana (annotations) stand-ins on loopback. Each request
 * records the canary weight the router had when it arrived, so the test can tell the rollback alert came after
 * traffic was back on stable. `fail` answers 500 to everything.
 */
async function fakeObservability(o: { silences?: unknown[]; fail?: boolean; weight?: () => Promise<number> }) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on(
      'end',
      () =>
        void (async () => {
          const canaryWeight = o.weight ? await o.weight() : null;
          hits.push({
            path: `${req.method} ${req.url}`,
            body: text ? JSON.parse(text) : null,
            auth: req.headers.authorization,
            canaryWeight,
          });
          if (o.fail) return void res.writeHead(500).end('boom');
          res.writeHead(200, { 'content-type': 'application/json' });
          if (req.url === '/api/v2/silences') res.end(JSON.stringify(o.silences ?? []));
          else if (req.url === '/api/annotations')
            res.end(JSON.stringify({ id: hits.length, message: 'Annotation added' }));
          else res.end('{}');
        })(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

interface Note {
  kind: string;
  topic?: string;
  level?: string;
  message?: string;
  action?: string;
  seq: number;
}
const chain = (dir: string): Note[] =>
  readFileSync(join(dir, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Note);

async function rollout(
  policy: ReturnType<typeof policySpec.parse>,
  env: NodeJS.ProcessEnv,
  faults: { errorRate: number },
) {
  const cwd = tmp();
  const stable = await startMaestroApi({ version: '1.0.0' });
  const canary = await startMaestroApi({ version: '1.1.0', faults });
  const actuator = await LocalActuator.start({ stable: stable.url, canary: canary.url, latencyBoundsMs: [5, 25, 100] });
  cleanups.push(
    () => stable.close(),
    () => canary.close(),
    () => actuator.close(),
  );
  const store = await StateStore.open(join(cwd, 'state.db'));
  cleanups.push(() => store.close());
  const warnings: string[] = [];
  const r = await openLocalRollout({
    id: 'obs',
    policy,
    actuator,
    upstreams: { stable: stable.url, canary: canary.url },
    store,
    metrics: new ControllerMetrics(),
    cwd,
    env,
    onWarning: (m) => warnings.push(m),
  });
  const stop = traffic(actuator.url, 100);
  cleanups.push(stop);
  return { r, actuator, warnings };
}

describe('controller observability hooks', () => {
  it(
    'warns on a muting silence (warn), posts the rollback alert once ' +
      'traffic is on stable, annotates each step and the rollback',
    async () => {
      let weight: () => Promise<number> = () => Promise.resolve(-1);
      const am = await fakeObservability({ silences: [silence()], weight: () => weight() });
      const grafana = await fakeObservability({ weight: () => weight() });
      const policy = policySpec.parse({
        service: 'maestro-api',
        interval: '500ms',
        steps: [{ weight: 50, bake: '30s' }],
        latencyBoundsMs: [5, 25, 100],
        alerting: { alertmanagerUrl: am.url, silenceCheck: 'warn' },
        grafana: { url: grafana.url, tokenEnv: 'TEST_GRAFANA_TOKEN' },
      });
      const { r, actuator, warnings } = await rollout(
        policy,
        { TEST_GRAFANA_TOKEN: 'glsa_secret' },
        { errorRate: 0.6 },
      );
      weight = async () => (await actuator.state()).canaryWeight;
      const pre = await r.preStart();
      expect(pre).toMatchObject({
        start: true,
        reason: expect.stringMatching(/started anyway \(silenceCheck: warn\).*sil-1/),
      });
      r.controller.start();
      const snap = await r.controller.done;
      expect(snap.phase).toBe('rolled-back');
      await r.close(); // drains the hooks before the evidence closes
      const alerts = am.hits.filter((h) => h.path === 'POST /api/v2/alerts');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.canaryWeight).toBe(0);
      expect(alerts[0]!.body).toEqual([
        expect.objectContaining({
          labels: expect.objectContaining({ alertname: expect.any(String), service: 'maestro-api', rollout: 'obs' }),
        }),
      ]);
      const annotations = grafana.hits.filter((h) => h.path === 'POST /api/annotations');
      expect(
        annotations.map((a) =>
          (a.body as { tags: string[] }).tags.find((t) => ['step', 'promote', 'rollback'].includes(t)),
        ),
      ).toEqual(['step', 'rollback']);
      expect(annotations.every((a) => a.auth === 'Bearer glsa_secret')).toBe(true);
      const notes = chain(r.evidence.dir).filter((n) => n.kind === 'note');
      expect(notes.map((n) => [n.topic, n.level])).toEqual([
        ['silence-check', 'warning'],
        ['rollback-alert', 'info'],
      ]);
      expect(warnings.some((w) => /sil-1/.test(w))).toBe(true);
      const verify = spawnCli(['evidence', 'verify'], join(r.evidence.dir, '../../..'));
      expect(await verify.exited, verify.out()).toBe(0);
    },
  );

  it(
    'never blocks: Alertmanager and Grafana failing are evidence notes, ' + 'and the rollback still happens at once',
    async () => {
      const broken = await fakeObservability({ fail: true });
      const policy = policySpec.parse({
        service: 'maestro-api',
        interval: '500ms',
        steps: [{ weight: 50, bake: '30s' }],
        latencyBoundsMs: [5, 25, 100],
        alerting: { alertmanagerUrl: broken.url, silenceCheck: 'hold' },
        grafana: { url: broken.url },
      });
      const { r } = await rollout(policy, { GRAFANA_TOKEN: 't0ken' }, { errorRate: 0.6 });
      expect(await r.preStart()).toMatchObject({
        start: true,
        reason: expect.stringMatching(/silence check skipped: cannot list silences.*HTTP 500/),
      });
      r.controller.start();
      const snap = await r.controller.done;
      expect(snap.phase).toBe('rolled-back');
      expect(snap.rollbackDurationSeconds).toBeLessThan(1);
      await r.close();
      const notes = chain(r.evidence.dir).filter((n) => n.kind === 'note');
      expect(notes.map((n) => [n.topic, n.level])).toEqual(
        expect.arrayContaining([
          ['silence-check', 'warning'],
          ['rollback-alert', 'warning'],
          ['annotation', 'warning'],
        ]),
      );
      expect(JSON.stringify(notes)).not.toContain('t0ken');
    },
  );

  it('run holds the start on a muting silence (silenceCheck: hold), says why and exits 1', async () => {
    const am = await fakeObservability({ silences: [silence({ id: 'sil-hold', comment: 'friday freeze' })] });
    const up = await startMaestroApi();
    cleanups.push(() => up.close());
    const cwd = tmp();
    writeFileSync(
      join(cwd, 'canary.yaml'),
      maestroPolicyYaml(`  steps: [{weight: 50, bake: 5s}]
  alerting: {alertmanagerUrl: "${am.url}", silenceCheck: hold}
  signing: {required: false}
`),
    );
    const r = spawnCli(runArgs(up.url, up.url), cwd);
    expect(await r.exited, r.out()).toBe(1);
    expect(r.out()).toMatch(/not starting rollout maestro-api-\S+ of maestro-api: 1 active silence\(s\).*sil-hold/);
    expect(r.out()).toMatch(/held: .* was not started/);
    expect(r.out()).not.toMatch(/START/);
    expect(am.hits.map((h) => h.path)).toEqual(['GET /api/v2/silences']);
  });
});
