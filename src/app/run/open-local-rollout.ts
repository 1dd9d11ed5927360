import { join } from 'node:path';
import type { Actuator } from '../../actuators/actuator.js';
import type { LocalActuator } from '../../actuators/local/local-actuator.js';
import { createAnalysis } from '../../engine/analysis.js';
import type { HeadSigner } from '../../evidence/head-signature.js';
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
  /** The upstream processes just started for this run: on a resume, their warm-up starts again. */
  startedUpstreams?: string[];
  /** Signs every evidence head written (`run --evidence-key`). */
  signHead?: HeadSigner | undefined;
}

export interface LocalRollout {
  controller: RolloutController;
  evidence: EvidenceLogSink;
  /** The silence check (spec.alerting): call before `controller.start()` on a rollout still pending. */
  preStart(): Promise<PreStart>;
  /** Stops the loop, waits (bounded) for webhook deliveries, closes every source (the probes, an OTLP subscription)
   * and the evidence. */
  close(): Promise<void>;
}

/**
 * Wires one rollout on this machine: evidence (refuses to start when `.evidence/` is unwritable), webhooks, the
 * observability hooks, the router's observations (or the given sources, e.g. Prometheus for a flagd flag) and
 * the synthetic suite as sources, the real judge, and the controller.
 */
export async function openLocalRollout(options: LocalRolloutOptions): Promise<LocalRollout> {
  const sources: ObservationSource[] = options.sources
    ? [...options.sources]
    : [new EmbeddedRouterSource(routerOf(options.actuator).router.recorder)];
  const evidence = await EvidenceLogSink.open(
    {
      root: join(options.cwd, '.evidence'),
      prRoot: join(options.cwd, '.prbodies'),
      service: options.policy.service,
      rolloutId: options.id,
      redact: { secrets: options.secrets ?? [] },
      ...(options.versions ? { versions: options.versions } : {}),
      ...(options.signHead ? { signHead: options.signHead } : {}),
    },
    options.policy,
  );
  const notifier = WebhookNotifier.create(options.policy, {
    evidence,
    timeoutMs: options.webhookTimeoutMs,
    onError: (err) => options.onWarning?.(`webhook: ${(err as Error).message}`),
  });
  for (const n of options.notes ?? []) {
    try {
      evidence.note(n);
    } catch (err) {
      options.onWarning?.(`evidence: could not record the ${n.topic} note: ${(err as Error).message}`);
    }
  }
  const hooks = ObservabilityHooks.create({
    policy: options.policy,
    rolloutId: options.id,
    env: options.env ?? {},
    evidence,
    onWarning: options.onWarning,
  });
  const notify = fanOut([notifier, hooks]);
  let synthetics: SyntheticsSource | undefined;
  if (options.suite && options.upstreams) {
    synthetics = new SyntheticsSource({
      suite: options.suite,
      stableUrl: options.upstreams.stable,
      canaryUrl: options.upstreams.canary,
      env: options.suiteEnv,
      everyMs: Math.max(100, Math.floor(options.policy.interval / 5)),
    });
    sources.push(synthetics);
  }
  let controller: RolloutController;
  try {
    controller = await RolloutController.open({
      id: options.id,
      policy: options.policy,
      actuator: options.actuator,
      sources,
      createAnalysis: (p) => createAnalysis(p),
      store: options.store,
      metrics: options.metrics,
      evidence,
      notifier: notify,
      onsetAt: options.onsetAt,
      onWarning: options.onWarning,
      versions: options.versions,
      startedUpstreams: options.startedUpstreams,
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
      for (const s of sources) if (s.close) await s.close();
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
