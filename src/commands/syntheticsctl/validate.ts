import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { AppError, formatDiagnostic } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

/** `syntheticsctl validate FILE...`: every problem of every file in one run; exit 2 when any is invalid. */
export default defineCommand<Record<string, never>>({
  name: 'validate',
  summary: 'check probe suites: every problem at once, each with file:line:column',
  args: ['<files...>'],
  readOnly: true,
  examples: ['syntheticsctl validate examples/maestro-api/synthetics/maestro-api-canary.yaml'],
  async run({ args, io }) {
    const { checkSuiteFile } = await import('../../synthetics/validate-suite.js');
    const files = (args[0] as string[] | undefined) ?? [];
    let errors = 0;
    for (const file of files) {
      try {
        const result = checkSuiteFile(file, { env: io.env });
        for (const d of result.diagnostics) println(io.stderr, formatDiagnostic(d));
        errors += result.diagnostics.filter((d) => d.severity === 'error').length;
        if (result.ok) println(io.stdout, `${file}: valid (${result.suite?.spec.flows.length ?? 0} flows)`);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        println(io.stderr, `${err.message}`);
        errors++;
      }
    }
    if (errors > 0) println(io.stderr, `${errors} problem${errors === 1 ? '' : 's'} found.`);
    return errors > 0 ? ExitCode.usage : ExitCode.ok;
  },
});
