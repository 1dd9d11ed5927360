import { resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  outputKeyPrefix: string;
  force?: boolean;
}

export default defineCommand<Options>({
  name: 'keygen',
  summary:
    'Create a cosign-compatible key pair (PREFIX.key encrypted, PREFIX.pub); password from COSIGN_PASSWORD or a prompt',
  options: [
    new Option('--output-key-prefix <prefix>', 'write PREFIX.key and PREFIX.pub').default('cosign'),
    new Option('--force', 'overwrite existing key files'),
  ],
  examples: ['COSIGN_PASSWORD=... adaptive-canary keygen --output-key-prefix cosign'],
  async run({ opts, io }) {
    const { assertWritable, writeKeyPair } = await import('../../supply-chain/key-file-store.js');
    const { readPassword } = await import('../../supply-chain/password.js');
    const prefix = resolve(io.cwd, opts.outputKeyPrefix);
    assertWritable([`${prefix}.key`, `${prefix}.pub`], opts.force === true);
    const password = await readPassword(io, { confirm: true });
    const written = writeKeyPair(prefix, password, opts.force === true);
    println(io.stdout, `Private key written to ${written.privateFile} (mode 0600)`);
    println(io.stdout, `Public key written to ${written.publicFile}`);
    return ExitCode.ok;
  },
});
