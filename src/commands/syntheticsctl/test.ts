import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { ExitCode } from '../../exit-codes.js';

interface TestOptions {
  baseUrl?: string;
  flow?: string[];
  tag?: string[];
  reporter: 'list' | 'json' | 'junit';
  output?: string;
}

/** `syntheticsctl test SUITE`: run each selected flow once; exit 1 if any failed (degraded passes). */
export default defineCommand<TestOptions>({
  name: 'test',
  summary: 'run each flow once, step by step, and report timings and assertions',
  args: ['<suite>'],
  readOnly: true,
  options: [
    new Option('--base-url <url>', 'target to probe (overrides spec.baseUrl)'),
    new Option('--flow <name...>', 'run only these flows (opt-in flows included)'),
    new Option('--tag <tag...>', 'run only flows with one of these tags (e.g. chaos)'),
    new Option('--reporter <name>', 'output format').choices(['list', 'json', 'junit']).default('list'),
    new Option('--output <file>', 'write the report to a file instead of stdout'),
  ],
  examples: [
    'syntheticsctl test synthetics/maestro-api-canary.yaml --base-url http://127.0.0.1:8080',
    'syntheticsctl test suite.yaml --reporter junit --output probe-results.xml',
  ],
  async run({ args, opts, io }) {
    const { loadSuite } = await import('../../synthetics/prepare-suite.js');
    const { runSuite } = await import('../../synthetics/run-flow.js');
    const { renderReport } = await import('../../synthetics/reporters/index.js');
    const prepared = loadSuite(args[0] as string, { baseUrl: opts.baseUrl, env: io.env });
    const result = await runSuite(prepared, { flows: opts.flow, tags: opts.tag });
    const report = renderReport(opts.reporter, result);
    if (opts.output) {
      writeFileSync(opts.output, report);
      io.stdout.write(renderReport('list', result));
    } else io.stdout.write(report);
    return result.success ? ExitCode.ok : ExitCode.failed;
  },
});
