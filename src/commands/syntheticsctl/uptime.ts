import { existsSync } from 'node:fs';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { ConfigError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { formatDuration, parseDuration } from '../../schema/duration.js';

interface UptimeOptions {
  window: string;
  min?: string;
  json?: boolean;
  db?: string;
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(3)}%`);

/** `syntheticsctl uptime SUITE --window 7d [--min 0.999]`: exit 1 below --min (or with no data in the window). */
export default defineCommand<UptimeOptions>({
  name: 'uptime',
  summary: 'uptime and reachability from the recorded history (Grafana SM definitions)',
  args: ['<suite>'],
  readOnly: true,
  options: [
    new Option('--window <duration>', 'trailing window, e.g. 24h, 7d').default('7d'),
    new Option('--min <ratio>', 'fail (exit 1) when uptime is below this, e.g. 0.999'),
    new Option('--json', 'print the figures as JSON'),
    new Option('--db <file>', 'SQLite history file (default .syntheticsctl/<suite>.db)'),
  ],
  examples: ['syntheticsctl uptime synthetics/maestro-api-canary.yaml --window 7d --min 0.999'],
  async run({ args, opts, io }) {
    const { checkSuiteFile } = await import('../../synthetics/validate-suite.js');
    const { openHistory, defaultHistoryFile } = await import('../../synthetics/history.js');
    const windowMs = parseDuration(opts.window);
    if (!windowMs)
      throw new UsageError(`--window must be a duration like 7d or 24h, got ${JSON.stringify(opts.window)}`);
    const min = opts.min === undefined ? undefined : Number(opts.min);
    if (min !== undefined && !(min >= 0 && min <= 1))
      throw new UsageError(`--min must be a ratio in [0, 1], got ${JSON.stringify(opts.min)}`);
    const check = checkSuiteFile(args[0] as string, { env: io.env });
    if (!check.suite || !check.ok) throw new ConfigError(check.diagnostics.filter((d) => d.severity === 'error'));
    const suite = check.suite.metadata.name;
    const db = opts.db ?? defaultHistoryFile(io.cwd, suite);
    if (!existsSync(db)) throw new UsageError(`no history at ${db}: run "syntheticsctl run" first, or pass --db`);
    const history = openHistory(db);
    const report = (() => {
      try {
        return history.uptime({ windowMs, suite });
      } finally {
        history.close();
      }
    })();
    const ok = min === undefined || (report.uptime !== null && report.uptime >= min);
    if (opts.json) println(io.stdout, JSON.stringify({ suite, min: min ?? null, ok, ...report }, null, 2));
    else {
      println(
        io.stdout,
        `${suite} over ${formatDuration(windowMs)}: uptime ${pct(report.uptime)}` +
          ` (${report.upPoints}/${report.points} intervals), reachability ${pct(report.reachability)}` +
          ` (${report.successes}/${report.runs} runs)`,
      );
      for (const f of report.flows)
        println(
          io.stdout,
          `  ${f.flow}: uptime ${pct(f.uptime)}, reachability ${pct(f.reachability)}` +
            `, ${f.runs} runs, ${f.pointsWithoutData} intervals without data`,
        );
    }
    if (!ok)
      println(
        io.stderr,
        report.uptime === null
          ? `no results for ${suite} in the last ${formatDuration(windowMs)}`
          : `uptime ${pct(report.uptime)} is below --min ${pct(min ?? 0)}`,
      );
    return ok ? ExitCode.ok : ExitCode.failed;
  },
});
