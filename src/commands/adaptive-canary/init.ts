import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  service: string;
  dir?: string;
  force?: boolean;
}

/** Shipped in the package (`files`), three levels up from both src/commands/… and dist/commands/…. */
const templateDir = fileURLToPath(new URL('../../../examples/maestro-api/', import.meta.url));

export default defineCommand<Options>({
  name: 'init',
  summary:
    'Scaffold the paved-road layout (policy, probe suite, rollout, rules, routes, dashboard, ADR) for a new service',
  options: [
    new Option('-s, --service <name>', 'the service name, a DNS label such as payments-api').makeOptionMandatory(),
    new Option('-d, --dir <dir>', 'where to write (default: ./<service>)'),
    new Option('--force', 'overwrite files that already exist'),
  ],
  examples: [
    'adaptive-canary init --service payments-api',
    'adaptive-canary init --service payments-api --dir deploy/canary --force',
  ],
  async run({ opts, io }) {
    const { scaffold } = await import('../../app/init/init-service.js');
    const destDir = resolve(io.cwd, opts.dir ?? opts.service);
    const result = scaffold({ templateDir, destDir, service: opts.service, force: Boolean(opts.force) });
    const overwritten = new Set(result.overwritten);
    for (const path of result.written) println(io.stdout, `${overwritten.has(path) ? 'overwrote' : 'wrote'} ${path}`);
    println(io.stdout, `\n${result.written.length} files in ${destDir}.`);
    if (result.left.length > 0) {
      println(io.stdout, `Not copied (regenerate them for ${opts.service}): ${result.left.join(', ')}`);
    }
    if (result.redacted.length > 0) {
      println(io.stdout, `Removed the example's embedded signatures/keys from: ${result.redacted.join(', ')}`);
    }
    println(io.stdout, 'Next steps are in README.md there: make your own keys, sign, render, validate, preflight.');
    return ExitCode.ok;
  },
});
