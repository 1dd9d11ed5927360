import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { canaryPolicy } from '../../schema/policy.js';
import { renderTargets } from '../../render/target-registry.js';
import { loadDocumentFile } from '../../read-input.js';

interface Options {
  policy: string;
  out?: string;
  stdout?: boolean;
}

export default defineCommand<Options>({
  name: 'render',
  summary: 'Generate deployment and observability artifacts from the policy, so their numbers never drift apart',
  args: ['<subjects...>'],
  options: [
    new Option('-p, --policy <file>', 'the canary policy').default('canary.yaml'),
    new Option('-o, --out <dir>', "output directory (default: the policy file's directory)"),
    new Option('--stdout', 'print the files instead of writing them'),
  ],
  examples: [
    'adaptive-canary render rollout --policy examples/maestro-api/canary.yaml',
    'adaptive-canary render prometheus alertmanager grafana --policy canary.yaml --out build/',
    'adaptive-canary render all --policy canary.yaml',
  ],
  async run({ args, opts, io }) {
    const requested = args[0] as string[];
    const names = requested.includes('all') ? Object.keys(renderTargets) : requested;
    const unknown = names.filter((n) => !(n in renderTargets));
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown subject ${unknown.join(', ')}; choose from ${[...Object.keys(renderTargets), 'all'].join(', ')}`,
      );
    }
    const policyFile = resolve(io.cwd, opts.policy);
    const policy = loadDocumentFile(policyFile, canaryPolicy).value;
    const outDir = resolve(io.cwd, opts.out ?? dirname(policyFile));
    for (const name of names) {
      const target = await renderTargets[name]!.load();
      const files = await target.render({ policy, policyDir: dirname(policyFile), env: io.env });
      for (const file of files) {
        if (opts.stdout) {
          println(io.stdout, `--- ${file.path}`);
          io.stdout.write(file.content);
          continue;
        }
        const dest = resolve(outDir, file.path);
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, file.content, { mode: file.mode ?? 0o644 });
        println(io.stdout, `wrote ${relative(io.cwd, dest) || dest} (${name})`);
      }
    }
    return ExitCode.ok;
  },
});
