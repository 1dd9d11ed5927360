import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  root: string;
  listen: string;
}

export default defineCommand<Options>({
  name: 'dashboard',
  summary:
    'Serve the Canary Release Overview read-only over past rollouts in ' +
    '.evidence/ (timelines, verdicts, reasons, webhooks)',
  readOnly: true,
  options: [
    new Option('--root <dir>', 'evidence root').default('.evidence'),
    new Option('--listen <host:port>', 'dashboard address; port 0 picks a free one').default('127.0.0.1:8080'),
  ],
  examples: ['adaptive-canary dashboard', 'adaptive-canary dashboard --root /mnt/evidence --listen 127.0.0.1:0'],
  async run({ opts, io }) {
    const root = resolve(io.cwd, opts.root);
    if (!existsSync(root))
      throw new UsageError(`--root: no evidence at ${opts.root} (run a rollout or the demo first)`);
    const { Registry } = await import('prom-client');
    const { EvidenceView } = await import('../../server/evidence-view.js');
    const { startServer } = await import('../../server/start-server.js');
    const view = new EvidenceView(root);
    const server = await startServer({ listen: opts.listen, view, registry: new Registry(), readOnly: true });
    const shown = relative(io.cwd, root) || '.';
    const stopped = waitForStop();
    println(
      io.stdout,
      `dashboard: ${server.url}  (read-only: ${view.list().length} past rollouts from ${shown}; Ctrl-C to stop)`,
    );
    await stopped;
    await server.close();
    return ExitCode.ok;
  },
});
