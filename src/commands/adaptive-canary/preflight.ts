import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { DEFAULT_STATE_FILE } from '../../controller/state-store.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  policy: string;
  json?: boolean;
  allowUnknown?: string[];
  prometheus?: string;
  syntheticsDb?: string;
  syntheticsUrl?: string;
  state?: string;
}

export default defineCommand<Options>({
  name: 'preflight',
  summary:
    'Run the Definition of Ready: promotion criteria, error budget, ' +
    'synthetic suite (uptime, signature, sync), signature, admission policy',
  readOnly: true,
  options: [
    new Option('-p, --policy <file>', 'the canary policy').default('canary.yaml'),
    new Option('--json', 'print the checks as JSON'),
    new Option('--allow-unknown <check>', 'let this check pass when it cannot be evaluated (repeatable)').argParser(
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    ),
    new Option('--prometheus <url>', 'Prometheus base URL for error-budget burn (and probe_success uptime)'),
    new Option(
      '--state <file>',
      'without --prometheus: the local controller state (SQLite) whose observed requests give the error-budget burn',
    ).default(DEFAULT_STATE_FILE),
    new Option('--synthetics-db <file>', 'syntheticsctl history (SQLite) for the suite uptime'),
    new Option('--synthetics-url <url>', 'the running `syntheticsctl run` (its /metrics carries the suite sha256)'),
  ],
  examples: [
    'adaptive-canary preflight --policy examples/maestro-api/canary.yaml --prometheus http://127.0.0.1:9090',
    'adaptive-canary preflight --policy canary.yaml --state .adaptive-canary/state.db',
    'adaptive-canary preflight --policy canary.yaml --json --allow-unknown error-budget',
  ],
  async run({ opts, io }) {
    const { CHECK_NAMES } = await import('../../app/preflight/check.js');
    const unknownNames = (opts.allowUnknown ?? []).filter((n) => !(CHECK_NAMES as readonly string[]).includes(n));
    if (unknownNames.length > 0)
      throw new UsageError(
        `--allow-unknown: no check named ${unknownNames.join(', ')}; checks: ${CHECK_NAMES.join(', ')}`,
      );
    const { loadDocumentFile } = await import('../../read-input.js');
    const { canaryPolicy } = await import('../../schema/policy.js');
    const { runPreflight, formatChecklist } = await import('../../app/preflight/run-preflight.js');
    const policyFile = resolve(io.cwd, opts.policy);
    const policy = loadDocumentFile(policyFile, canaryPolicy).value;
    const report = await runPreflight(
      {
        policy,
        policyFile,
        policyDir: dirname(policyFile),
        prometheusUrl: opts.prometheus,
        syntheticsDb: opts.syntheticsDb && resolve(io.cwd, opts.syntheticsDb),
        syntheticsUrl: opts.syntheticsUrl,
        stateFile: resolve(io.cwd, opts.state ?? DEFAULT_STATE_FILE),
        now: Date.now(),
        fetch: globalThis.fetch,
      },
      opts.allowUnknown ?? [],
    );
    if (opts.json) println(io.stdout, JSON.stringify(report, null, 2));
    else for (const line of formatChecklist(report)) println(io.stdout, line);
    return report.ok ? ExitCode.ok : ExitCode.failed;
  },
});
