import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { parseDuration } from '../../schema/duration.js';
import type { DemoSummary } from '../../app/demo/demo-run.js';

interface Options {
  scenario: 'healthy' | 'regression' | 'chaos' | 'cold-start' | 'all';
  interval: string;
  ui: boolean;
  json?: boolean;
  listen: string;
  rps: string;
  allowUnsigned?: boolean;
  metrics: 'router' | 'otlp';
}

export default defineCommand<Options>({
  name: 'demo',
  summary:
    'Run real canary rollouts of the sample maestro-api on this machine: ' +
    'healthy promoted, regression and chaos rolled back, a cold start promoted against its baseline',
  options: [
    new Option('--scenario <name>', 'which rollout(s) to run')
      .choices(['healthy', 'regression', 'chaos', 'cold-start', 'all'])
      .default('all'),
    new Option('--interval <duration>', 'analysis interval (bakes are 4-5 intervals per step)').default('2s'),
    new Option('--no-ui', 'no live terminal view: one line per event'),
    new Option('--json', 'print a JSON summary on stdout (progress goes to stderr)'),
    new Option('--listen <host:port>', 'dashboard and API address; port 0 picks a free one').default('127.0.0.1:8080'),
    new Option('--rps <n>', 'generated user requests per second per rollout').default('60'),
    new Option(
      '--metrics <source>',
      "what the judge reads: the router's counts, or OpenTelemetry metrics " +
        'the sample services export over OTLP to the controller',
    )
      .choices(['router', 'otlp'])
      .default('router'),
    new Option(
      '--allow-unsigned',
      "run even if the example's rollouts.yaml does not verify against its " +
        'cosign.pub (warned and recorded in the evidence)',
    ),
  ],
  examples: [
    'adaptive-canary demo',
    'adaptive-canary demo --scenario regression --interval 1s',
    'adaptive-canary demo --json --no-ui --listen 127.0.0.1:0',
    'adaptive-canary demo --metrics otlp',
  ],
  async run({ opts, io }) {
    const intervalMs = parseDuration(opts.interval);
    if (intervalMs === undefined || intervalMs < 200)
      throw new UsageError(`--interval: expected a duration of at least 200ms, got ${opts.interval}`);
    const rps = Number(opts.rps);
    if (!Number.isFinite(rps) || rps < 5 || rps > 2000)
      throw new UsageError(`--rps: expected 5..2000, got ${opts.rps}`);
    const { runDemo } = await import('../../app/demo/demo-run.js');
    const { onInterrupt } = await import('../../app/run/interrupt.js');
    const all: Exclude<Options['scenario'], 'all'>[] = ['healthy', 'regression', 'chaos', 'cold-start'];
    const scenarios = opts.scenario === 'all' ? all : [opts.scenario];
    const progress = opts.json ? io.stderr : io.stdout;
    // On a terminal the dashboard outlives the scenarios, so the URL printed at the start still answers after.
    const keepServing = opts.ui && !opts.json && io.stdout.isTTY === true;
    const hubRef: { abortAll?: () => Promise<void> } = {};
    const off = onInterrupt({ ...io, stdin: undefined }, async () => hubRef.abortAll?.());
    try {
      const summary = await runDemo({
        scenarios: [...scenarios],
        intervalMs,
        listen: opts.listen,
        rps,
        io,
        progress,
        live: opts.ui && progress.isTTY === true,
        token: io.env.ADAPTIVE_CANARY_TOKEN,
        allowUnsigned: opts.allowUnsigned === true,
        metrics: opts.metrics,
        onDashboard: (url) =>
          println(progress, `dashboard: ${url}  (scenarios: ${scenarios.join(', ')}; interval ${opts.interval})`),
        onHub: (abortAll) => (hubRef.abortAll = abortAll),
        beforeClose: async (summary) => {
          off();
          if (opts.json) println(io.stdout, JSON.stringify(summary, null, 2));
          else printSummary(io.stdout, summary);
          if (!keepServing) return;
          // Listen for Ctrl-C before saying to press it: a ^C typed in between would kill the process (exit 130).
          const stopped = waitForStop();
          println(io.stdout, `the dashboard keeps serving at ${summary.dashboard} — press Ctrl-C to stop`);
          await stopped;
        },
      });
      return summary.ok ? ExitCode.ok : ExitCode.failed;
    } finally {
      off();
    }
  },
});

function printSummary(out: NodeJS.WritableStream, s: DemoSummary): void {
  println(out);
  for (const r of s.rollouts) {
    const ttd = r.timeToDecideSeconds === null ? '-' : `${r.timeToDecideSeconds.toFixed(1)}s`;
    const rb =
      r.rollbackDurationSeconds === null ? '' : `, rollback took ${(r.rollbackDurationSeconds * 1000).toFixed(3)} ms`;
    println(
      out,
      `${r.ok ? '✓' : '✗'} ${r.scenario.padEnd(10)} ${r.decision.padEnd(11)} ` +
        `(expected ${r.expected}) in ${ttd}${rb}  [${r.rolloutId}]`,
    );
    if (r.reason) println(out, `    ${r.reason}  (decided by ${r.decidedBy})`);
  }
  println(
    out,
    `webhooks: ${s.webhooks.verified}/${s.webhooks.received} signed ` +
      `deliveries verified; evidence in .evidence/maestro-api/, review ` +
      `write-ups in .prbodies/`,
  );
  println(
    out,
    s.ok
      ? `demo passed in ${s.elapsedSeconds}s`
      : `demo FAILED: a rollout did not end as it should (${s.elapsedSeconds}s)`,
  );
}
