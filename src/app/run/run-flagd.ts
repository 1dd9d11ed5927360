import { resolve } from 'node:path';
import { FlagdActuator } from '../../actuators/flagd/flagd-actuator.js';
import type { CliIO } from '../../io.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import type { PolicySpec } from '../../schema/policy.js';
import { PrometheusSource } from '../../sources/prometheus/prometheus-source.js';
import { flagVariantQuery } from '../../sources/prometheus/otel-names.js';
import { OtlpSource } from '../../sources/otlp/otlp-source.js';
import { otlpSubscription, otlpBlock } from '../../sources/otlp/from-policy.js';
import { OtlpReceiver } from '../../sources/otlp/receiver.js';
import { FEATURE_FLAG_VARIANT_ATTR } from '../../metric-names.js';
import { featureSteps } from '../../controller/feature-steps.js';
import type { LoadedPolicy } from '../../controller/load-policy.js';
import { ControllerMetrics } from '../../controller/metrics.js';
import { openLocalRollout } from './open-local-rollout.js';
import type { HeadSigner } from '../../evidence/head-signature.js';
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
  /** Default: flagVariantQuery's (`variant`, or the flag variant's OTel label with names: otel). */
  variantLabel?: string | undefined;
  canaryVariant?: string | undefined;
  stableVariant?: string | undefined;
  listen: string;
  stateFile: string;
  id?: string | undefined;
  live: boolean;
  token?: string | undefined;
  notes?: EvidenceNote[];
  /** Signs every evidence head written (`--evidence-key`). */
  signHead?: HeadSigner | undefined;
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
      '--target flagd needs a metric source: the embedded router cannot tell ' +
        'flag variants apart, so give Prometheus with --prometheus <url> or ' +
        'spec.prometheus.url in the policy, or take OTLP (spec.metricSource: ' +
        '{type: otlp})',
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
export async function runFlagd(options: RunFlagdOptions): Promise<RunLocalResult> {
  const promUrl = flagdMetricSource(options.prometheusUrl, options.policy.spec);
  const spec = { ...options.policy.spec, steps: featureSteps(options.policy.spec.steps, options.featureStep) };
  const actuator = new FlagdActuator({
    file: resolve(options.io.cwd, options.flagFile),
    flag: options.flag,
    canaryVariant: options.canaryVariant,
    stableVariant: options.stableVariant,
  });
  // Reads and checks the file (flag, fractional targeting, variants) before anything is opened.
  const variants = await actuator.variants();
  const otlp = promUrl === 'otlp' ? new OtlpReceiver() : undefined;
  const query = flagVariantQuery(spec, options.variantLabel);
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
        variant: { label: query.label, baseline: variants.stable, canary: variants.canary },
        latencyBoundsMs: spec.latencyBoundsMs,
        metrics: spec.metrics,
        names: query.names,
      });
  const store = await StateStore.open(resolve(options.io.cwd, options.stateFile));
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    const unfinished = store.list(spec.service).find((r) => r.phase !== 'promoted' && r.phase !== 'rolled-back');
    const id = options.id ?? unfinished?.id ?? newId(spec.service);
    const metrics = new ControllerMetrics();
    const warn = (m: string): void => println(options.io.stderr, `warning: ${m}`);
    const rollout = await openLocalRollout({
      id,
      policy: spec,
      secrets: options.policy.secrets,
      actuator,
      sources: [source],
      store,
      metrics,
      cwd: options.io.cwd,
      onWarning: warn,
      env: options.io.env,
      notes: options.notes,
      versions: variants,
      signHead: options.signHead,
    });
    cleanups.push(() => rollout.close());
    return await superviseRollout(options, {
      rollout,
      metrics,
      cleanups,
      warn,
      where:
        `flag "${options.flag}" in ${options.flagFile} (${variants.canary} vs ${variants.stable}` +
        `; steps ${spec.steps.map((s) => `${s.weight}%`).join(', ')}, then ` +
        `100%; metrics from ${otlp ? 'OTLP' : `${promUrl} by ${query.label}`}` +
        `)`,
      otlp,
    });
  } finally {
    for (const c of cleanups.splice(0).reverse()) await c();
  }
}
