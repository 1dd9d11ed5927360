import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  key: string;
  annotate?: boolean;
  output?: string;
}

export default defineCommand<Options>({
  name: 'sign',
  summary:
    'Sign a file like `cosign sign-blob` (FILE.sig + FILE.sigstore.json), ' +
    'or embed k8s-manifest-sigstore annotations (--annotate)',
  args: ['<file>'],
  options: [
    new Option('--key <file>', 'cosign private key (password from COSIGN_PASSWORD or a prompt)').makeOptionMandatory(),
    new Option('--annotate', 'write cosign.sigstore.dev/message and /signature annotations on every resource instead'),
    new Option('-o, --output <file>', 'with --annotate: where to write the signed YAML (default: in place)'),
  ],
  examples: [
    'COSIGN_PASSWORD=... adaptive-canary sign --key cosign.key rollouts.yaml',
    'adaptive-canary sign --annotate --key cosign.key rollouts.yaml -o rollouts.signed.yaml',
  ],
  async run({ args, opts, io }) {
    const { readBinaryFile } = await import('../../supply-chain/key-file-store.js');
    const { readTextFile } = await import('../../read-input.js');
    const { readPassword } = await import('../../supply-chain/password.js');
    const file = resolve(io.cwd, args[0] as string);
    const keyPem = readTextFile(resolve(io.cwd, opts.key));
    const blob = readBinaryFile(file);
    const password = await readPassword(io, { confirm: false });
    const show = (f: string): string => relative(io.cwd, f) || f;
    if (opts.annotate) {
      const { decryptPrivateKey } = await import('../../supply-chain/cosign-key-format.js');
      const { annotateManifests } = await import('../../supply-chain/manifest-annotations.js');
      const out = resolve(io.cwd, opts.output ?? file);
      writeFileSync(out, annotateManifests(blob.toString('utf8'), decryptPrivateKey(keyPem, password)));
      println(io.stdout, `Signed manifest annotations written to ${show(out)}`);
      return ExitCode.ok;
    }
    const { signDetached } = await import('../../supply-chain/sign-files.js');
    const signed = signDetached(blob, keyPem, password);
    writeFileSync(`${file}.sig`, signed.sig);
    writeFileSync(`${file}.sigstore.json`, signed.bundle);
    println(io.stdout, `Signature written to ${show(`${file}.sig`)}`);
    println(io.stdout, `Bundle written to ${show(`${file}.sigstore.json`)}`);
    return ExitCode.ok;
  },
});
