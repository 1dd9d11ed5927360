import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ANNOTATION } from '../../src/actuators/argo/state-annotation.js';
import { ClusterController } from '../../src/controller/cluster/cluster-controller.js';
import { pullEvidence } from '../../src/controller/cluster/evidence-pull.js';
import type { ObservationSource } from '../../src/controller/ports.js';
import { verifySignature } from '../../src/controller/webhooks/signature.js';
import { generateCosignKeyPair } from '../../src/supply-chain/cosign-key-format.js';
import { headSignatureCheck, headSigner } from '../../src/supply-chain/evidence-key.js';
import { readRollout, verifyEvidence } from '../../src/evidence/index.js';
import { headline } from '../../src/engine/reason-text.js';
import type { Reason } from '../../src/schema/reason.js';
import type { VariantObservation } from '../../src/schema/observation.js';
import type { WebhookPayload } from '../../src/schema/evidence.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { until as pollUntil } from '../support/poll.js';
import { FAST_ROLLOUT_POLICY, makeRollout } from '../support/rollout-fixture.js';

const evidenceKey = generateCosignKeyPair('pw');

// The cluster record across a leader change: two ClusterControllers (the replicas of `serve`) against the
// in-test API server, which stands in for the cluster (ConfigMaps, Events, Leases, Rollouts over HTTP through
// client-node), a loopback webhook receiver that checks every HMAC, and scripted healthy observations.
const NS = 'shop';
const SECRET = 'whsec_cluster_test';
const obs = (requests: number, errors: number): VariantObservation => ({
  requests,
  errors,
  latency: [requests - errors, errors, 0, 0, 0, 0, 0, 0, 0, 0, 0],
});
const sources = (): ObservationSource[] => [
  { name: 'scripted', collect: () => Promise.resolve({ baseline: obs(1000, 1), canary: obs(100, 0) }) },
];

interface Received {
  id: string;
  verified: boolean;
  payload: WebhookPayload;
}

let api: KubeApiServer;
let argo: ArgoSimulator;
let hook: http.Server;
let hookUrl = '';
/** up: answers 204; failing: 503 (retried); hanging: accepts the request and never answers. */
let receiver: 'up' | 'failing' | 'hanging' = 'up';
let arrived = 0;
const received: Received[] = [];
const controllers: ClusterController[] = [];

beforeEach(async () => {
  received.length = 0;
  receiver = 'up';
  arrived = 0;
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrived++;
      if (receiver === 'hanging') return;
      if (receiver === 'failing') return void res.writeHead(503).end();
      const raw = Buffer.concat(chunks);
      received.push({
        id: String(req.headers['x-adaptive-canary-delivery']),
        verified: verifySignature(SECRET, raw, req.headers['x-adaptive-canary-signature']),
        payload: JSON.parse(raw.toString()) as WebhookPayload,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`;
  api = await KubeApiServer.start({ tokens: ['token-pod-a', 'token-pod-b', 'token-laptop'] });
  argo = new ArgoSimulator(api);
});

afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  argo.close();
  await api.close();
  hook.closeAllConnections();
  await new Promise<void>((r) => hook.close(() => r()));
});

function replica(
  identity: string,
  warnings: string[],
  extra: { sources?: () => ObservationSource[]; webhookTimeoutMs?: number } = {},
): ClusterController {
  const c = new ClusterController({
    kubeConfig: api.kubeConfig(NS, `token-${identity}`),
    identity,
    leaseNamespace: 'adaptive-canary',
    leaseDurationMs: 1_000,
    renewDeadlineMs: 700,
    retryPeriodMs: 100,
    sources,
    onWarning: (m) => warnings.push(`${identity}: ${m}`),
    env: { HOOK_SECRET: SECRET },
    evidenceDir: mkdtempSync(join(tmpdir(), `ac-cluster-${identity}-`)),
    webhookTimeoutMs: 500,
    signHead: headSigner(evidenceKey.privatePem, 'pw'), // serve --evidence-key: every replica has the Secret
    ...extra,
  });
  controllers.push(c);
  return c;
}

const until = (cond: () => boolean, ms = 15_000): Promise<number> => pollUntil(cond, ms);
type StoredState = {
  stored: { decisions: { seq: number; notifiedAt: number | null; decision: { action: string; at: number } }[] };
};
const stored = (): StoredState | null =>
  JSON.parse(
    api.getRollout(NS, 'maestro-api')?.metadata.annotations?.[STATE_ANNOTATION] ?? 'null',
  ) as StoredState | null;

/** The Rollout, mid-update at step 0, annotated with a policy that sends every decision to the receiver. */
function seed(overrides: Record<string, unknown> = {}): void {
  api.seedRollout(
    makeRollout({
      name: 'maestro-api',
      namespace: NS,
      annotations: {
        'adaptive-canary.dev/policy': JSON.stringify({
          ...FAST_ROLLOUT_POLICY,
          webhooks: [{ url: hookUrl, secret: '${env:HOOK_SECRET}' }],
          ...overrides,
        }),
      },
    }),
  );
  argo.reconcile(NS, 'maestro-api');
}
const canaryWeight = (): number =>
  (api.getRollout(NS, 'maestro-api')?.status as { canary?: { weights?: { canary?: { weight?: number } } } })?.canary
    ?.weights?.canary?.weight ?? 0;

describe('serve: the cluster record survives a leader change', () => {
  it(
    'a leader dies with webhooks still pending; the new leader continues ' +
      'the evidence chain and delivers every webhook',
    async () => {
      seed({
        steps: [
          { weight: 10, bake: '300ms' },
          { weight: 25, bake: '3s' },
          { weight: 50, bake: '300ms' },
        ],
      });
      const warnings: string[] = [];
      receiver = 'failing'; // every delivery of the first leader stays pending (retrying on 503)
      const [a, b] = [replica('pod-a', warnings), replica('pod-b', warnings)];
      await a.start();
      await until(() => a.isLeader());
      await b.start();
      await until(() => (stored()?.stored.decisions.length ?? 0) >= 2); // start (10%) and step (25%) decided
      await a.stop({ release: false }); // a crash: no release, nothing more written
      receiver = 'up';
      await until(() => b.isLeader());
      await until(() => api.getRollout(NS, 'maestro-api')?.status?.stableRS === 'c4n4ry');
      await until(() => b.hub.get(`${NS}/maestro-api`)?.phase === 'promoted');

      // Every decision the state holds has a webhook (same delivery id as the first leader's), signed.
      const rolloutId = `${NS}.maestro-api.c4n4ry`;
      const decisions = () => stored()!.stored.decisions;
      await until(() => decisions().some((d) => d.decision.action === 'promote'));
      await until(() =>
        decisions().every((d) => received.some((r) => r.id === `${rolloutId}:${d.seq}:${d.decision.action}`)),
      );
      expect(received.every((r) => r.verified)).toBe(true);
      expect(decisions().map((d) => d.decision.action)).toEqual(expect.arrayContaining(['start', 'step', 'promote']));

      // Once every webhook settled, its outbox flag is written — after the delivery outcomes were uploaded.
      await until(() => decisions().every((d) => d.notifiedAt !== null));

      // The evidence, pulled as a laptop would: one unbroken chain holding a record of every decision.
      const root = join(mkdtempSync(join(tmpdir(), 'ac-pull-')), '.evidence');
      await until(() =>
        api.configMaps.store
          .list('adaptive-canary')
          .some((cm) => /finish/.test(String((cm.data as Record<string, string>)?.['decisions.jsonl']))),
      );
      const pulled = await pullEvidence({
        kubeConfig: api.kubeConfig(NS, 'token-laptop'),
        evidenceNamespace: 'adaptive-canary',
        root,
      });
      expect(pulled).toHaveLength(1);
      expect(verifyEvidence(pulled[0]!.dir)).toMatchObject({ ok: true });
      // The head travelled with the chain, signed by the evidence key (whichever leader wrote it last).
      const pub = join(root, '..', 'evidence.pub');
      writeFileSync(pub, evidenceKey.publicPem);
      expect(verifyEvidence(pulled[0]!.dir, { headSignature: headSignatureCheck(pub) })).toMatchObject({
        ok: true,
        signature: 'valid',
      });
      const evidence = readRollout(pulled[0]!.dir);
      expect(evidence.meta.outcome).toBe('promoted');
      const records = evidence.records.filter((r) => r.kind === 'decision');
      const recorded = records.map((r) => `${r.action} ${r.at}`);
      for (const d of decisions())
        expect(recorded).toContain(`${d.decision.action} ${new Date(d.decision.at).toISOString()}`);
      // Each webhook anchors the record it reports: its seq and SHA-256 are in the pulled chain.
      for (const r of received) {
        const anchor = r.payload.evidence!;
        expect(evidence.records.find((x) => x.seq === anchor.seq)?.hash).toBe(anchor.hash);
      }
      // The webhook outcomes were recorded beside the chain, including the first leader's abandoned attempts.
      expect(evidence.deliveries.some((d) => d.outcome === 'delivered')).toBe(true);
      // Events on the Rollout, from both leaders.
      const events = api.events.store.list(NS);
      expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['CanaryStarted', 'CanaryPromoted']));
      expect(new Set(events.map((e) => e.reportingInstance))).toEqual(new Set(['pod-a', 'pod-b']));
    },
  );
});

describe('serve: Events and webhooks around the decisions', () => {
  it(
    'puts an Event on the Rollout for every decision (start, step, hold, promote), ' + 'its note the headline reason',
    async () => {
      // Healthy canary traffic at 10%; from 25% on the canary gets none, so the judge cannot conclude: the step's bake
      // ends in a hold (the extension), and the exhausted extension promotes (inconclusive.then: promote).
      const byWeight = (): ObservationSource[] => [
        {
          name: 'scripted',
          collect: () =>
            Promise.resolve({ baseline: obs(1000, 1), canary: canaryWeight() >= 25 ? obs(0, 0) : obs(100, 0) }),
        },
      ];
      // No data is an error to the threshold judge; a high limit keeps a slow machine's extra intervals from turning
      // the wait into a rollback (the default allows 4 in a row).
      seed({ threshold: { consecutiveErrorLimit: 1000 } });
      const a = replica('pod-a', [], { sources: byWeight });
      await a.start();
      await until(() => a.hub.get(`${NS}/maestro-api`)?.phase === 'promoted');
      type Decision = { action: string; by: string; reasons: Reason[] };
      const decisions = () =>
        (stored() as unknown as { stored: { decisions: { decision: Decision }[] } }).stored.decisions.map(
          (d) => d.decision,
        );
      await until(() => decisions().some((d) => d.action === 'promote'));
      expect(decisions().map((d) => `${d.action} by ${d.by}`)).toEqual([
        'start by controller',
        'step by judge',
        'hold by judge',
        'promote by policy:inconclusive',
      ]);
      const reasonOf: Record<string, string> = {
        start: 'CanaryStarted',
        step: 'CanaryStepAdvanced',
        hold: 'CanaryHeld',
        promote: 'CanaryPromoted',
      };
      await until(() => api.events.store.list(NS).length >= decisions().length);
      const events = api.events.store.list(NS);
      expect(events.map((e) => e.reason)).toEqual(decisions().map((d) => reasonOf[d.action]));
      decisions().forEach((d, i) => {
        const e = events[i]!;
        expect(e).toMatchObject({
          type: 'Normal',
          reportingController: 'adaptive-canary.dev/controller',
          regarding: { kind: 'Rollout', name: 'maestro-api', namespace: NS },
        });
        // The headline reason (reason-text.ts, what the terminal and the write-ups lead with) is in the note.
        // The start is not a judgement: it has no reason to give.
        const why = headline(d.reasons);
        if (d.action !== 'start') expect(why, d.action).toBeTruthy();
        if (why) expect(String(e.note)).toContain(why);
        expect(String(e.note)).toMatch(/\[evidence shop\.maestro-api\.c4n4ry\]$/);
      });
      expect(String(events[0]!.note)).toMatch(
        /^Started at step 1 \(canary weight now 10%, score 1.00, by controller\) \[/,
      );
      expect(String(events[2]!.note)).toMatch(/^Held at step 2 \(canary weight now 25%/);
      expect(String(events[3]!.note)).toMatch(/^Promoted at step 2 \(canary weight now 100%/);
    },
  );

  it(
    'a webhook receiver that hangs never delays a rollback: traffic is back on stable ' +
      'and the state written while its deliveries wait',
    async () => {
      const failing = (): ObservationSource[] => [
        { name: 'scripted', collect: () => Promise.resolve({ baseline: obs(1000, 1), canary: obs(100, 40) }) },
      ];
      seed();
      receiver = 'hanging';
      const a = replica('pod-a', [], { sources: failing, webhookTimeoutMs: 30_000 });
      await a.start();
      await until(() => stored()?.stored.decisions.some((d) => d.decision.action === 'rollback') === true);
      await until(() => (api.getRollout(NS, 'maestro-api')?.status as { abort?: boolean })?.abort === true);
      await until(() => canaryWeight() === 0);
      const rollback = stored()!.stored.decisions.find((d) => d.decision.action === 'rollback')!;
      // The receiver has had deliveries, answered none, and the rollback's webhook is still pending (its outbox flag
      // unset), yet the abort went out and its confirmation is recorded: the webhooks wait, not the traffic.
      expect(arrived).toBeGreaterThanOrEqual(1);
      expect(received).toEqual([]);
      expect(rollback.notifiedAt).toBeNull();
      const snap = a.hub.get(`${NS}/maestro-api`)!;
      expect(snap.phase).toBe('rolled-back');
      // Decided to confirmed (weight 0 in the Rollout's status) in the simulator's delay plus polling, not the 30 s a
      // delivery attempt may take.
      expect(snap.rollbackDurationSeconds).not.toBeNull();
      expect(snap.rollbackDurationSeconds!).toBeLessThan(5);
      expect(api.patches().filter((p) => JSON.stringify(p.body) === '{"status":{"abort":true}}')).toHaveLength(1);
      // The Event says why at once too (Events are not queued behind webhooks).
      await until(() => api.events.store.list(NS).some((e) => e.reason === 'CanaryRolledBack'));
    },
  );
});
