import { join } from 'node:path';
import type { Actuator } from '../../actuators/actuator.js';
import type { LocalActuator } from '../../actuators/local/local-actuator.js';
import { createAnalysis } from '../../engine/analysis.js';
import type { PolicySpec } from '../../schema/policy.js';
import type { ProbeSuite } from '../../schema/probe-suite.js';
import { EmbeddedRouterSource } from '../../sources/embedded.js';
import { SyntheticsSource } from '../../sources/synthetics.js';
import { EvidenceLogSink } from '../../controller/evidence-sink.js';
import type { ControllerMetrics } from '../../controller/metrics.js';
import { ObservabilityHooks, type PreStart } from '../../controller/observability-hooks.js';
import { fanOut, type EvidenceNote, type ObservationSource } from '../../controller/ports.js';
import { RolloutController } from '../../controller/rollout-controller.js';
import type { StateStore } from '../../controller/state-store.js';
import { WebhookNotifier } from '../../controller/webhook-notifier.js';

export interface LocalRolloutOptions {
  id: string;
  policy: PolicySpec;
  /** Values to redact from evidence (webhook secrets resolved from the environment). */
  secrets?: string[];
  /** The embedded router (`LocalActuator`), or another actuator together with `sources` (a flagd flag file). */
  actuator: LocalActuator | Actuator;
  /** Observation sources; default: what the embedded router recorded (the actuator must then be the router). */
  sources?: ObservationSource[];
  /** Direct upstream URLs for the synthetic probes (each variant probed on its own); needed with `suite`. */
  upstreams?: { stable: string; canary: string };
  store: StateStore;
  metrics: ControllerMetrics;
  /** `.evidence/` and `.prbodies/` are created here. */
  cwd: string;
  suite?: ProbeSuite;
  suiteEnv?: Readonly<Record<string, string | undefined>>;
  onsetAt?: number | null;
  /** Version labels for the evidence and the review write-ups. */
  versions?: { stable?: string; canary?: string };
  onWarning?: (message: string) => void;
  webhookTimeoutMs?: number;
  /** Read for the Grafana token (`spec.grafana.tokenEnv`); without it, no annotations. */
  env?: NodeJS.ProcessEnv;
  /** Checks made before the rollout opened (the manifest signature), chained into its evidence. */
  notes?: EvidenceNote[];
}

export interface LocalRollout {
  controller: RolloutController;
  evidence: EvidenceLogSink;
  /** The silence check (spec.alerting): call before `controller.start()` on a rollout still pending. */
  preStart(): Promise<PreStart>;
  /** Stops the loop, waits (bounded) for webhook deliveries, closes the evidence and the probes. */
  close(): Promise<void>;
}

/**
 * Wires one rollout on this machine: evidence (refuses to start when `.evidence/` is unwritable), webhooks, the
 * observability hooks, the router's observations (or the given sources, e.g. Prometheus for a flagd flag) and
 * the synthetic suite as sources, the real judge, and the controller.
 */
export async function openLocalRollout(o: LocalRolloutOptions): Promise<LocalRollout> {
  const sources: ObservationSource[] = o.sources
    ? [...o.sources]
    : [new EmbeddedRouterSource(routerOf(o.actuator).router.recorder)];
  const evidence = await EvidenceLogSink.open(
    {
      root: join(o.cwd, '.evidence'),
      prRoot: join(o.cwd, '.prbodies'),
      service: o.policy.service,
      rolloutId: o.id,
      redact: { secrets: o.secrets ?? [] },
      ...(o.versions ? { versions: o.versions } : {}),
    },
    o.policy,
  );
  const notifier = WebhookNotifier.create(o.policy, {
    evidence,
    timeoutMs: o.webhookTimeoutMs,
    onError: (err) => o.onWarning?.(`webhook: ${(err as Error).message}`),
  });
  for (const n of o.notes ?? []) {
    try {
      evidence.note(n);
    } catch (err) {
      o.onWarning?.(`evidence: could not record the ${n.topic} note: ${(err as Error).message}`);
    }
  }
  const hooks = ObservabilityHooks.create({
    policy: o.policy,
    rolloutId: o.id,
    env: o.env ?? {},
    evidence,
    onWarning: o.onWarning,
  });
  const notify = fanOut([notifier, hooks]);
  let synthetics: SyntheticsSource | undefined;
  if (o.suite && o.upstreams) {
    synthetics = new SyntheticsSource({
      suite: o.suite,
      stableUrl: o.upstreams.stable,
      canaryUrl: o.upstreams.canary,
      env: o.suiteEnv,
      everyMs: Math.max(100, Math.floor(o.policy.interval / 5)),
    });
    sources.push(synthetics);
  }
  let controller: RolloutController;
  try {
    controller = await RolloutController.open({
      id: o.id,
      policy: o.policy,
      actuator: o.actuator,
      sources,
      createAnalysis: (p) => createAnalysis(p),
      store: o.store,
      metrics: o.metrics,
      evidence,
      notifier: notify,
      onsetAt: o.onsetAt,
      onWarning: o.onWarning,
      versions: o.versions,
    });
  } catch (err) {
    evidence.close();
    throw err;
  }
  synthetics?.start();
  return {
    controller,
    evidence,
    preStart: () => hooks?.preStart() ?? Promise.resolve({ start: true }),
    close: async () => {
      await controller.stop();
      await synthetics?.close();
      // Webhook deliveries and observability calls record their outcome in the evidence: drain them first.
      await notify.flush(2_000);
      evidence.close();
    },
  };
}

function routerOf(a: LocalActuator | Actuator): LocalActuator {
  if (!('router' in a)) throw new Error(`the ${a.kind} actuator records no traffic: pass the observation sources`);
  return a;
}
