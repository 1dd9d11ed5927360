import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { DEFAULT_STATE_FILE } from '../../controller/state-store.js';
import { println } from '../../io.js';
import type { CliIO } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';
import type { RunLocalResult } from '../../app/run/run-local.js';

interface Options {
  policy: string;
  target: 'router' | 'flagd';
  stable?: string;
  canary?: string;
  baseline?: string;
  flagFile?: string;
  flag?: string;
  featureStep?: string;
  prometheus?: string;
  variantLabel?: string;
  canaryVariant?: string;
  stableVariant?: string;
  baselineVariant?: string;
  listen: string;
  router: string;
  state?: string;
  id?: string;
  suite?: string;
  ui: boolean;
  startTimeout: string;
  allowUnsigned?: boolean;
  evidenceKey?: string;
}

export default defineCommand<Options>({
  name: 'run',
  summary:
    'Drive a canary rollout of your own service on this machine: through ' +
    "the embedded weighted router, or a flagd feature flag's weights " +
    '(--target flagd)',
  options: [
    new Option('--policy <file>', 'the release policy (canary.yaml)').makeOptionMandatory(),
    new Option('--target <target>', 'what moves the traffic: the embedded router, or a flagd flag file')
      .choices(['router', 'flagd'])
      .default('router'),
    new Option('--stable <url|cmd>', 'router: stable version, a URL or a command serving HTTP on $PORT (required)'),
    new Option('--canary <url|cmd>', 'router: canary version, a URL or a command serving HTTP on $PORT (required)'),
    new Option(
      '--baseline <url|cmd>',
      'router: baseline, fresh instances of the stable version started with ' +
        'the canary (a URL or a command serving HTTP on $PORT); they get half ' +
        "of the canary's share and the judge compares the canary with them, so " +
        'a cold start is not read as a regression',
    ),
    new Option(
      '--flag-file <file>',
      'flagd: the flag file (JSON) flagd watches; rewritten atomically at each step (required)',
    ),
    new Option('--flag <name>', 'flagd: the flag whose fractional targeting is stepped (required)'),
    new Option(
      '--feature-step <pct>',
      'flagd: step the canary variant by this many percent (pct, 2·pct, … ' +
        "below 100, then promote to 100) instead of the policy's step weights; " +
        "each step bakes as long as the policy's step at or below that weight " +
        "(the first step's bake below it). Without it the policy's steps are " +
        'used as written',
    ),
    new Option(
      '--prometheus <url>',
      'flagd: Prometheus to read per-variant metrics from (default: ' +
        'spec.prometheus.url; one of them is required, as the router cannot ' +
        'tell flag variants apart)',
    ),
    new Option(
      '--variant-label <label>',
      'flagd: the metric label whose values are the flag variants, e.g. http_requests_total{variant="on"} ' +
        '(default: variant; feature_flag_result_variant with spec.metricSource names: otel)',
    ),
    new Option(
      '--canary-variant <name>',
      'flagd: the variant under test (default: the fractional variant that ' +
        'is not the defaultVariant); router with spec.metricSource otlp: the ' +
        "canary's service.version (or the policy's variantAttribute)",
    ),
    new Option(
      '--stable-variant <name>',
      "flagd: the variant everyone else gets (default: the flag's " +
        "defaultVariant); router with spec.metricSource otlp: stable's " +
        'service.version',
    ),
    new Option(
      '--baseline-variant <name>',
      'router with --baseline and spec.metricSource otlp: the baseline ' +
        "instances' value of the policy's variantAttribute (e.g. their " +
        'service.instance.id), so they are told apart from stable',
    ),
    new Option('--listen <host:port>', 'dashboard, API and /metrics; port 0 picks a free one').default(
      '127.0.0.1:8080',
    ),
    new Option('--router <host:port>', 'router: where the router listens for your traffic').default('127.0.0.1:8000'),
    new Option('--state <file>', 'controller state (SQLite); an unfinished rollout in it is resumed').default(
      DEFAULT_STATE_FILE,
    ),
    new Option('--id <rollout-id>', 'rollout id (default: resume the unfinished one, else <service>-<time>)'),
    new Option('--suite <file>', 'synthetic probe suite run against both versions every interval'),
    new Option('--no-ui', 'no live terminal view: one line per event'),
    new Option('--start-timeout <duration>', 'how long a command upstream may take to listen').default('30s'),
    new Option(
      '--allow-unsigned',
      'roll out even though rollouts.yaml next to the policy is unsigned or ' +
        'does not verify (local experiments; warned and recorded in the ' +
        'evidence)',
    ),
    new Option(
      '--evidence-key <file>',
      'cosign private key that signs every evidence head.json (password from COSIGN_PASSWORD or a prompt; ' +
        'default: $ADAPTIVE_CANARY_EVIDENCE_KEY); `evidence verify --key` checks the signature',
    ),
  ],
  examples: [
    'adaptive-canary run --policy canary.yaml --stable http://127.0.0.1:9001 --canary "node server.js"',
    'adaptive-canary run --policy canary.yaml --stable ' +
      'http://10.0.0.5:8080 --canary http://10.0.0.6:8080 --suite ' +
      'synthetics/maestro-api-canary.yaml',
    'adaptive-canary run --target flagd --flag-file ' +
      'flags/maestro-api.flagd.json --flag new-checkout --feature-step 10 ' +
      '--policy canary.yaml --prometheus http://127.0.0.1:9090',
  ],
  async run({ opts, io }) {
    const { loadPolicy } = await import('../../controller/load-policy.js');
    const { checkSignedManifest } = await import('../../controller/manifest-gate.js');
    const { UsageError } = await import('../../errors.js');
    const flagd = opts.target === 'flagd';
    const problem = targetProblem(opts);
    if (problem) throw new UsageError(problem);
    const policyFile = resolve(io.cwd, opts.policy);
    const policy = loadPolicy(policyFile, io.env);
    const { flagdMetricSource, runFlagd } = await import('../../app/run/run-flagd.js');
    if (flagd) flagdMetricSource(opts.prometheus, policy.spec);
    const { loadHeadSigner } = await import('../../supply-chain/evidence-key.js');
    const signHead = await loadHeadSigner(io, opts.evidenceKey);
    const gate = checkSignedManifest(dirname(policyFile), policy.spec, { allowUnsigned: opts.allowUnsigned === true });
    if (gate.warning) println(io.stderr, `WARNING: ${gate.warning}`);
    const common = {
      io,
      policy,
      listen: opts.listen,
      stateFile: opts.state ?? DEFAULT_STATE_FILE,
      id: opts.id,
      live: opts.ui && io.stdout.isTTY === true,
      token: io.env.ADAPTIVE_CANARY_TOKEN,
      notes: [gate.note],
      signHead,
    };
    let result;
    if (flagd) {
      const { parseFeatureStep } = await import('../../controller/feature-steps.js');
      result = await runFlagd({
        ...common,
        flagFile: opts.flagFile ?? '',
        flag: opts.flag ?? '',
        featureStep: parseFeatureStep(opts.featureStep),
        prometheusUrl: opts.prometheus,
        variantLabel: opts.variantLabel,
        canaryVariant: opts.canaryVariant,
        stableVariant: opts.stableVariant,
      });
    } else {
      const { runLocal } = await import('../../app/run/run-local.js');
      const { parseDuration } = await import('../../schema/duration.js');
      let suite;
      if (opts.suite) {
        const { loadSuite } = await import('../../synthetics/prepare-suite.js');
        const env = { ...io.env, TARGET_URL: io.env.TARGET_URL ?? 'http://127.0.0.1' };
        suite = { suite: loadSuite(resolve(io.cwd, opts.suite), { env }).suite, env };
      }
      result = await runLocal({
        ...common,
        stable: opts.stable ?? '',
        canary: opts.canary ?? '',
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        router: opts.router,
        suite,
        upstreamStartTimeoutMs: parseDuration(opts.startTimeout) ?? 30_000,
        stableVariant: opts.stableVariant,
        canaryVariant: opts.canaryVariant,
        baselineVariant: opts.baselineVariant,
      });
    }
    return report(io, result);
  },
});

/** What is missing or misplaced for the chosen --target (a usage error), or undefined. */
function targetProblem(opts: Options): string | undefined {
  const flagd = opts.target === 'flagd';
  const need = flagd
    ? { '--flag-file': opts.flagFile, '--flag': opts.flag }
    : { '--stable': opts.stable, '--canary': opts.canary };
  const missing = Object.entries(need)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length) return `--target ${opts.target} needs ${missing.join(' and ')}`;
  if (!flagd && opts.featureStep !== undefined)
    return '--feature-step steps a feature flag: use it with --target flagd';
  if (flagd && opts.baseline !== undefined)
    return '--baseline starts baseline instances behind the router: use it with --target router';
  if (opts.baselineVariant !== undefined && opts.baseline === undefined)
    return '--baseline-variant names the baseline instances started by --baseline: give --baseline too';
  return undefined;
}

function report(io: CliIO, result: RunLocalResult): ExitCode {
  const s = result.snapshot;
  if (result.held !== undefined) {
    println(
      io.stderr,
      `held: ${s.id} was not started (spec.alerting.silenceCheck: hold); ` +
        `expire the silence or plan it in spec.alerting.maintenanceWindow, ` +
        `then run again`,
    );
    return ExitCode.failed;
  }
  if (result.left) {
    println(
      io.stdout,
      `left rollout ${s.id} at step ${s.step + 1}/${s.stepCount} (${s.weight}%); run the same command to resume it`,
    );
    return ExitCode.ok;
  }
  const last = s.decisions.at(-1);
  println(
    io.stdout,
    `${s.id}: ${s.phase}${last ? ` by ${last.by}` : ''}` +
      (s.rollbackDurationSeconds !== null
        ? `; rollback took ${(s.rollbackDurationSeconds * 1000).toFixed(3)} ms`
        : '') +
      `; evidence in ${s.evidenceDir ?? '-'}`,
  );
  return s.phase === 'promoted' ? ExitCode.ok : ExitCode.failed;
}
