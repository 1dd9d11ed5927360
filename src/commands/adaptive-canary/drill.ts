import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';
import type { DrillOptions } from '../../app/drill/drill-service.js';

export default defineCommand<DrillOptions>({
  name: 'drill',
  summary:
    "SRE rollback drill: trigger the suite's rollback-chaos-lite flow on " +
    'the canary, report detection time and rollback duration',
  options: [
    new Option('--stable <url|cmd>', 'stable version (default: the sample maestro-api, started in-process)'),
    new Option('--canary <url|cmd>', 'canary version that the chaos flow targets (with --stable)'),
    new Option('--policy <file>', 'release policy (with --stable/--canary; default examples/maestro-api/canary.yaml)'),
    new Option(
      '--suite <file>',
      'probe suite with a rollback-chaos-lite flow (default: the maestro-api example suite)',
    ),
    new Option('--interval <duration>', 'analysis interval for the sample-service drill').default('2s'),
    new Option('--listen <host:port>', 'dashboard, API and /metrics; port 0 picks a free one').default(
      '127.0.0.1:8080',
    ),
    new Option('--router <host:port>', 'router address (with --stable/--canary)').default('127.0.0.1:0'),
    new Option('--json', 'print the drill report as JSON'),
    new Option('--no-ui', 'no live terminal view: one line per event'),
  ],
  examples: [
    'adaptive-canary drill',
    'PROBE_PASSWORD=... adaptive-canary drill --stable ' +
      'http://127.0.0.1:9001 --canary http://127.0.0.1:9002 --policy ' +
      'canary.yaml',
  ],
  async run({ opts, io }) {
    const { runDrill } = await import('../../app/drill/drill-service.js');
    const report = await runDrill(opts, io);
    if (opts.json) println(io.stdout, JSON.stringify(report, null, 2));
    else {
      const d = report.detectionSeconds === null ? '-' : `${report.detectionSeconds.toFixed(2)} s`;
      const r =
        report.rollbackDurationSeconds === null ? '-' : `${(report.rollbackDurationSeconds * 1000).toFixed(3)} ms`;
      println(
        io.stdout,
        `drill ${report.rolloutId}: ${report.rolledBack ? 'rolled back' : 'NOT rolled back'}` +
          `; detected ${d} after chaos onset; rollback (decision → 100% stable) ${r}` +
          `; playbook target: median rollback < ${report.targetMedianRollbackSeconds / 60}` +
          ` min`,
      );
      if (report.reason) println(io.stdout, `  ${report.reason}  (decided by ${report.decidedBy})`);
    }
    return report.rolledBack ? ExitCode.ok : ExitCode.failed;
  },
});
