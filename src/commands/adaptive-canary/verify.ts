import { resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  key: string;
  signature?: string;
  bundle?: string;
  annotated?: boolean;
  live?: boolean;
  ignoreField?: string[];
}

export default defineCommand<Options>({
  name: 'verify',
  summary:
    'Verify a cosign signature (--signature), sigstore bundle (--bundle) or signed manifest annotations (--annotated)',
  args: ['<file>'],
  readOnly: true,
  options: [
    new Option('--key <file>', 'cosign public key (PEM)').makeOptionMandatory(),
    new Option('--signature <file>', 'raw signature as `cosign sign-blob --output-signature` writes it'),
    new Option('--bundle <file>', 'sigstore bundle (v0.3) as `cosign sign-blob --bundle` writes it'),
    new Option('--annotated', 'verify the k8s-manifest-sigstore annotations on every resource in FILE'),
    new Option('--live', 'with --annotated: FILE holds objects read back from a cluster (server-added fields allowed)'),
    new Option(
      '--ignore-field <path>',
      'with --annotated: a field controllers may change, e.g. metadata.annotations.rollout.argoproj.io/*',
    ).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
  ],
  examples: [
    'adaptive-canary verify --key cosign.pub --signature rollouts.yaml.sig rollouts.yaml',
    'adaptive-canary verify --key cosign.pub --bundle rollouts.yaml.sigstore.json rollouts.yaml',
    'kubectl get rollout maestro-api -o yaml | adaptive-canary verify --key cosign.pub --annotated --live /dev/stdin',
  ],
  async run({ args, opts, io }) {
    const modes = [opts.signature, opts.bundle, opts.annotated].filter((m) => m !== undefined && m !== false);
    if (modes.length !== 1) throw new UsageError('give exactly one of --signature FILE, --bundle FILE or --annotated');
    const { verifyFile } = await import('../../supply-chain/verify-file.js');
    const at = (f: string): string => resolve(io.cwd, f);
    const outcome = verifyFile({
      file: at(args[0] as string),
      keyFile: at(opts.key),
      signature: opts.signature && at(opts.signature),
      bundle: opts.bundle && at(opts.bundle),
      annotated: opts.annotated === true,
      live: opts.live === true,
      ignoreFields: opts.ignoreField ?? [],
    });
    for (const line of outcome.lines) println(outcome.ok ? io.stdout : io.stderr, line);
    return outcome.ok ? ExitCode.ok : ExitCode.failed;
  },
});
