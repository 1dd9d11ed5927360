import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { CliIO } from '../../io.js';
import { ControllerHub } from '../../controller/hub.js';
import { loadPolicy } from '../../controller/load-policy.js';
import { checkSignedManifest } from '../../controller/manifest-gate.js';
import { ControllerMetrics } from '../../controller/metrics.js';
import { attachProgress } from '../run/progress.js';
import { StateStore } from '../../controller/state-store.js';
import type { PolicySpec } from '../../schema/policy.js';
import { loadSuite } from '../../synthetics/prepare-suite.js';
import { runScenario, type ScenarioName, type ScenarioResult } from './demo-scenario.js';
import { startWebhookReceiver } from '../../demo/webhook-receiver.js';

export interface DemoOptions {
  scenarios: ScenarioName[];
  intervalMs: number;
  listen: string;
  /** Live TTY view (false: one line per event). */
  live: boolean;
  /** Where progress goes (stderr under --json, so stdout stays one JSON document). */
  progress: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  io: CliIO;
  rps?: number;
  /** Bearer token for manual actions on the dashboard (none: read-only). */
  token?: string;
  onDashboard?: (url: string) => void;
  /** Receives a function that aborts (rolls back) every rollout still running: the Ctrl-C path. */
  onHub?: (abortAll: () => Promise<void>) => void;
  /** Run even when the example's rollouts.yaml does not verify (warned, and recorded in each rollout's evidence). */
  allowUnsigned?: boolean;
  /** Gets the summary while the dashboard still serves; the demo stops serving once it resolves. */
  beforeClose?: (summary: DemoSummary) => Promise<void>;
  /** `otlp`: the sample services export OpenTelemetry metrics to the controller, and the judge reads those. */
  metrics?: 'router' | 'otlp';
}

export interface DemoSummary {
  ok: boolean;
  dashboard: string;
  intervalSeconds: number;
  rollouts: ScenarioResult[];
  webhooks: { received: number; verified: number; byEvent: Record<string, number> };
  elapsedSeconds: number;
}

/** The paved-road example: examples/ ships in the package, two levels above src/demo and dist/demo. */
export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/maestro-api/', import.meta.url));

/** The example policy with the demo's pace: same judge and rules, seconds instead of minutes. */
export function demoPolicy(base: PolicySpec, intervalMs: number, webhook: { url: string; secret: string }): PolicySpec {
  return {
    ...base,
    interval: intervalMs,
    steps: [
      { weight: 10, bake: 4 * intervalMs },
      { weight: 25, bake: 4 * intervalMs },
      { weight: 50, bake: 5 * intervalMs },
    ],
    // A demo must end: a rollout still unproven after 10 more intervals is rolled back (and the demo fails).
    inconclusive: { maxExtension: 10 * intervalMs, then: 'rollback' },
    webhooks: [{ url: webhook.url, secret: webhook.secret, events: ['promote', 'rollback', 'step', 'hold'] }],
  };
}

/**
 * The main job on one machine: sample maestro-api stable and canary versions behind the embedded router with
 * generated user traffic, the real judge and the synthetic suite, one rollout per scenario, all at once.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const secret = randomBytes(24).toString('hex');
  const env = { ...options.io.env, CANARY_WEBHOOK_SECRET: secret };
  const loaded = loadPolicy(join(EXAMPLE_DIR, 'canary.yaml'), env);
  // The demo rolls out under the example policy, which requires a signed rollouts.yaml: checked like `run` does.
  const gate = checkSignedManifest(EXAMPLE_DIR, loaded.spec, { allowUnsigned: options.allowUnsigned === true });
  if (gate.warning) options.progress.write(`WARNING: ${gate.warning}\n`);
  const receiver = await startWebhookReceiver(secret);
  const policy = demoPolicy(loaded.spec, options.intervalMs, { url: receiver.url, secret });
  const suiteEnv = { TARGET_URL: 'http://127.0.0.1:9', PROBE_PASSWORD: randomBytes(9).toString('base64url') };
  const suite = loadSuite(join(EXAMPLE_DIR, 'synthetics', 'maestro-api-canary.yaml'), { env: suiteEnv }).suite;
  // Its own file: the demo's sample traffic must not count as your service's history (preflight reads state.db).
  const store = await StateStore.open(join(options.io.cwd, '.adaptive-canary', 'demo.db'));
  const metrics = new ControllerMetrics();
  const hub = new ControllerHub();
  const { startServer } = await import('../../server/index.js');
  const { OtlpReceiver } = await import('../../sources/otlp/receiver.js');
  const otlpReceiver = options.metrics === 'otlp' ? new OtlpReceiver() : undefined;
  const server = await startServer({
    listen: options.listen,
    view: hub,
    registry: metrics.registry,
    token: options.token,
    otlp: otlpReceiver,
  });
  options.onDashboard?.(server.url);
  options.onHub?.(async () => {
    await Promise.allSettled(
      hub
        .list()
        .filter((r) => r.phase !== 'promoted' && r.phase !== 'rolled-back')
        .map((r) => hub.act(r.id, 'abort', 'ctrl-c')),
    );
  });
  let detach: (() => void) | undefined = attachProgress(hub, options.progress, { live: options.live });
  const stopProgress = (): void => {
    detach?.();
    detach = undefined;
  };
  const warn = (m: string): void => void options.progress.write(`warning: ${m}\n`);
  try {
    const ctx = {
      policy,
      suite,
      suiteEnv,
      store,
      metrics,
      hub,
      cwd: options.io.cwd,
      rps: options.rps ?? 60,
      deadlineMs: 45 * options.intervalMs,
      secrets: [secret, suiteEnv.PROBE_PASSWORD],
      onWarning: warn,
      notes: [gate.note],
      otlp: otlpReceiver && { receiver: otlpReceiver, url: `${server.url}v1/metrics`, token: options.token },
    };
    const rollouts = await Promise.all(options.scenarios.map((s) => runScenario(ctx, s)));
    const byEvent: Record<string, number> = {};
    for (const r of receiver.received) byEvent[r.event] = (byEvent[r.event] ?? 0) + 1;
    const summary: DemoSummary = {
      ok: rollouts.every((r) => r.ok),
      dashboard: server.url,
      intervalSeconds: options.intervalMs / 1000,
      rollouts,
      webhooks: {
        received: receiver.received.length,
        verified: receiver.received.filter((r) => r.verified).length,
        byEvent,
      },
      elapsedSeconds: Math.round((Date.now() - t0) / 100) / 10,
    };
    stopProgress(); // the live view's last frame, then the summary below it
    await options.beforeClose?.(summary);
    return summary;
  } finally {
    stopProgress();
    await server.close();
    await receiver.close();
    store.close();
  }
}
