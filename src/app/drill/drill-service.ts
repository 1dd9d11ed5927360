import { join, resolve } from 'node:path';
import { headline } from '../../engine/reason-text.js';
import { DEFAULT_STATE_FILE } from '../../controller/state-store.js';
import { UsageError } from '../../errors.js';
import { println, type CliIO } from '../../io.js';

/**
 * The SRE rollback drill: the chaos scenario on the sample maestro-api, or the suite's rollback-chaos-lite flow
 * against your own stable/canary, measured as detection time and rollback duration. Output goes to `io`.
 */
export interface DrillOptions {
  policy?: string;
  suite?: string;
  stable?: string;
  canary?: string;
  interval: string;
  listen: string;
  router: string;
  json?: boolean;
  ui: boolean;
}

/** What `drill --json` prints. */
export interface DrillReport {
  rolloutId: string;
  rolledBack: boolean;
  detectionSeconds: number | null;
  rollbackDurationSeconds: number | null;
  decidedBy: string | null;
  reason: string | null;
  targetMedianRollbackSeconds: number;
  evidenceDir: string | null;
}

export async function runDrill(opts: DrillOptions, io: CliIO): Promise<DrillReport> {
  if (Boolean(opts.stable) !== Boolean(opts.canary)) throw new UsageError('--stable and --canary go together');
  return opts.stable && opts.canary ? drillOwn(opts, io) : drillSample(opts, io);
}

async function drillSample(opts: DrillOptions, io: CliIO): Promise<DrillReport> {
  const { runDemo } = await import('../../app/demo/demo-run.js');
  const { parseDuration } = await import('../../schema/duration.js');
  const intervalMs = parseDuration(opts.interval);
  if (intervalMs === undefined || intervalMs < 200)
    throw new UsageError(`--interval: expected a duration of at least 200ms, got ${opts.interval}`);
  const progress = opts.json ? io.stderr : io.stdout;
  const s = await runDemo({
    scenarios: ['chaos'],
    intervalMs,
    listen: opts.listen,
    io,
    progress,
    live: opts.ui && progress.isTTY === true,
    onDashboard: (url) => println(progress, `dashboard: ${url}  (rollback drill on the sample maestro-api)`),
  });
  const r = s.rollouts[0];
  return {
    rolloutId: r?.rolloutId ?? '-',
    rolledBack: r?.decision === 'rolled-back',
    detectionSeconds: r?.timeToDecideSeconds ?? null,
    rollbackDurationSeconds: r?.rollbackDurationSeconds ?? null,
    decidedBy: r?.decidedBy ?? null,
    reason: r?.reason ?? null,
    targetMedianRollbackSeconds: 300,
    evidenceDir: r?.evidenceDir ?? null,
  };
}

async function drillOwn(opts: DrillOptions, io: CliIO): Promise<DrillReport> {
  const { loadPolicy } = await import('../../controller/load-policy.js');
  const { runLocal } = await import('../../app/run/run-local.js');
  const { EXAMPLE_DIR } = await import('../../app/demo/demo-run.js');
  const { loadSuite, prepareSuite } = await import('../../synthetics/prepare-suite.js');
  const { runFlow } = await import('../../synthetics/run-flow.js');
  const policy = loadPolicy(opts.policy ? resolve(io.cwd, opts.policy) : join(EXAMPLE_DIR, 'canary.yaml'), io.env);
  const env = { ...io.env, TARGET_URL: io.env.TARGET_URL ?? 'http://127.0.0.1' };
  const suite = loadSuite(
    opts.suite ? resolve(io.cwd, opts.suite) : join(EXAMPLE_DIR, 'synthetics', 'maestro-api-canary.yaml'),
    { env },
  ).suite;
  if (!suite.spec.flows.some((f) => f.name === 'rollback-chaos-lite'))
    throw new UsageError('the suite has no rollback-chaos-lite flow');
  const result = await runLocal({
    io,
    policy,
    stable: opts.stable ?? '',
    canary: opts.canary ?? '',
    listen: opts.listen,
    router: opts.router,
    stateFile: DEFAULT_STATE_FILE,
    id: `drill-${Date.now().toString(36)}`,
    suite: { suite, env },
    live: opts.ui && io.stdout.isTTY === true,
    afterStart: async (c, upstreams) => {
      await new Promise((r) => setTimeout(r, policy.spec.interval));
      const at = Date.now();
      const flow = await runFlow(prepareSuite(suite, { baseUrl: upstreams.canary, env }), 'rollback-chaos-lite');
      if (!flow.success)
        throw new Error(
          `rollback-chaos-lite failed at step ${flow.steps.find((s) => s.status === 'failed')?.name ?? '?'}`,
        );
      c.markOnset(at);
    },
  });
  const s = result.snapshot;
  const last = s.decisions.at(-1);
  return {
    rolloutId: s.id,
    rolledBack: s.phase === 'rolled-back',
    detectionSeconds: s.timeToDecideSeconds,
    rollbackDurationSeconds: s.rollbackDurationSeconds,
    decidedBy: last?.by ?? null,
    reason: headline(last?.reasons ?? []) ?? null,
    targetMedianRollbackSeconds: 300,
    evidenceDir: s.evidenceDir,
  };
}
