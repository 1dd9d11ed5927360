import { resolve } from 'node:path';
import { FlagdActuator } from '../../actuators/flagd/flagd-actuator.js';
import type { CliIO } from '../../io.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import type { PolicySpec } from '../../schema/policy.js';
import { PrometheusSource } from '../../sources/prometheus.js';
import { OtlpSource } from '../../sources/otlp/otlp-source.js';
import { otlpSubscription, otlpBlock } from '../../sources/otlp/from-policy.js';
import { OtlpReceiver } from '../../sources/otlp/receiver.js';
import { FEATURE_FLAG_VARIANT_ATTR } from '../../metric-names.js';
import { featureSteps } from '../../controller/feature-steps.js';
import type { LoadedPolicy } from '../../controller/load-policy.js';
import { ControllerMetrics } from '../../controller/metrics.js';
import { openLocalRollout } from './open-local-rollout.js';
import type { EvidenceNote } from '../../controller/ports.js';
import { newId, superviseRollout, type RunLocalResult } from './run-local.js';
import { StateStore } from '../../controller/state-store.js';

export interface RunFlagdOptions {
  io: CliIO;
  policy: LoadedPolicy;
  /** The flagd flag file (JSON) flagd watches, and the flag in it. */
  flagFile: string;
  flag: string;
  /** Percent increment (`--feature-step`); undefined: the policy's steps as written. */
  featureStep?: number | undefined;
  /** Prometheus base URL; default: spec.prometheus.url. */
  prometheusUrl?: string | undefined;
  /** The metric label whose values are the flag's variants (`variant="on"`). */
  variantLabel: string;
  canaryVariant?: string | undefined;
  stableVariant?: string | undefined;
  listen: string;
  stateFile: string;
  id?: string | undefined;
  live: boolean;
  token?: string | undefined;
  notes?: EvidenceNote[];
}

/**
 * The Prometheus a flag canary reads (`--prometheus`, else spec.prometheus.url), or 'otlp' when the policy
 * takes OTLP; a usage error (exit 2) without either.
 */
export function flagdMetricSource(prometheusUrl: string | undefined, spec: PolicySpec): string {
  const url = prometheusUrl ?? spec.prometheus?.url;
  if (!url && otlpBlock(spec)) return 'otlp';
  if (!url) {
    throw new UsageError(
      '--target flagd needs a metric source: the embedded router cannot tell flag variants apart, so give Prometheus with --prometheus <url> or spec.prometheus.url in the policy, or take OTLP (spec.metricSource: {type: otlp})',
    );
  }
  return url;
}

/**
 * `run --target flagd`: a feature-flag canary. The flag's fractional weights are the traffic split (FlagdActuator
 * rewrites the file atomically), and since no router sees which variant a request got, the observations come
 * from Prometheus, split by the service's variant label (e.g. `http_requests_total{variant="on"}`). Everything
 * else — judge, state, evidence, webhooks, observability hooks, dashboard, Ctrl-C — is `run` as usual.
 */
export async function runFlagd(o: RunFlagdOptions): Promise<RunLocalResult> {
  const promUrl = flagdMetricSource(o.prometheusUrl, o.policy.spec);
  const spec = { ...o.policy.spec, steps: featureSteps(o.policy.spec.steps, o.featureStep) };
  const actuator = new FlagdActuator({
    file: resolve(o.io.cwd, o.flagFile),
    flag: o.flag,
    canaryVariant: o.canaryVariant,
    stableVariant: o.stableVariant,
  });
  // Reads and checks the file (flag, fractional targeting, variants) before anything is opened.
  const variants = await actuator.variants();
  const otlp = promUrl === 'otlp' ? new OtlpReceiver() : undefined;
  const source = otlp
    ? new OtlpSource(
        otlp,
        otlpSubscription(spec, {
          attribute: FEATURE_FLAG_VARIANT_ATTR,
          baseline: variants.stable,
          canary: variants.canary,
        }),
      )
    : new PrometheusSource({
        url: promUrl,
        timeoutMs: spec.prometheus?.timeout,
        selectors: spec.prometheus?.selectors ?? {},
        variant: { label: o.variantLabel, baseline: variants.stable, canary: variants.canary },
        latencyBoundsMs: spec.latencyBoundsMs,
        metrics: spec.metrics,
      });
  const store = await StateStore.open(resolve(o.io.cwd, o.stateFile));
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    const unfinished = store.list(spec.service).find((r) => r.phase !== 'promoted' && r.phase !== 'rolled-back');
    const id = o.id ?? unfinished?.id ?? newId(spec.service);
    const metrics = new ControllerMetrics();
    const warn = (m: string): void => println(o.io.stderr, `warning: ${m}`);
    const rollout = await openLocalRollout({
      id,
      policy: spec,
      secrets: o.policy.secrets,
      actuator,
      sources: [source],
      store,
      metrics,
      cwd: o.io.cwd,
      onWarning: warn,
      env: o.io.env,
      notes: o.notes,
      versions: variants,
    });
    cleanups.push(() => rollout.close());
    return await superviseRollout({
      io: o.io,
      rollout,
      metrics,
      listen: o.listen,
      token: o.token,
      live: o.live,
      cleanups,
      warn,
      where: `flag "${o.flag}" in ${o.flagFile} (${variants.canary} vs ${variants.stable}; steps ${spec.steps.map((s) => `${s.weight}%`).join(', ')}, then 100%; metrics from ${otlp ? 'OTLP' : `${promUrl} by ${o.variantLabel}`})`,
      otlp,
    });
  } finally {
    for (const c of cleanups.splice(0).reverse()) await c();
  }
}
