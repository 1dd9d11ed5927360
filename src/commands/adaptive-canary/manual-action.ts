import { createInterface } from 'node:readline/promises';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println, type CliIO } from '../../io.js';
import type { ManualAction } from '../../controller/view.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  server: string;
  actor?: string;
  yes?: boolean;
  dryRun?: boolean;
}

const verbs: Record<ManualAction, { summary: string; destructive: boolean }> = {
  promote: { summary: 'Promote a rollout now (100% canary), skipping its remaining steps', destructive: true },
  abort: { summary: 'Abort a rollout: move all traffic back to stable now', destructive: true },
  pause: { summary: 'Hold a rollout at its current step until resumed, promoted or aborted', destructive: false },
  resume: { summary: 'Resume a held rollout', destructive: false },
};

/** `promote|abort|pause|resume ROLLOUT`: a person's decision, sent to a running controller's API. */
function manualActionCommand(action: ManualAction): ReturnType<typeof defineCommand> {
  const { summary, destructive } = verbs[action];
  return defineCommand<Options>({
    name: action,
    summary: `${summary} (token from ADAPTIVE_CANARY_TOKEN)`,
    args: ['<rollout>'],
    options: [
      new Option('--server <url>', 'the controller (demo, run or serve)').default('http://127.0.0.1:8080'),
      new Option('--actor <name>', 'who decides, for the evidence (default: $USER)'),
      ...(destructive ? [new Option('-y, --yes', 'do not ask for confirmation (required without a terminal)')] : []),
      new Option('--dry-run', 'say what would be sent, send nothing'),
    ],
    examples: [
      `ADAPTIVE_CANARY_TOKEN=… adaptive-canary ${action} ` +
        `maestro-api-20261129-0412 --server http://127.0.0.1:8080${destructive ? ' --yes' : ''}`,
    ],
    async run({ args, opts, io }) {
      const rolloutId = args[0] as string;
      const actor = opts.actor ?? io.env.USER ?? 'cli';
      if (opts.dryRun) {
        println(io.stdout, `would ${action} ${rolloutId} at ${opts.server} as ${actor}`);
        return ExitCode.ok;
      }
      if (destructive && !opts.yes && !(await confirm(io, `${action} ${rolloutId}?`))) {
        println(io.stderr, 'not confirmed; nothing sent');
        return ExitCode.failed;
      }
      const { requestManualAction } = await import('../../server/client.js');
      const rollout = await requestManualAction({
        server: opts.server,
        rolloutId,
        action,
        token: io.env.ADAPTIVE_CANARY_TOKEN,
        actor,
      });
      println(
        io.stdout,
        `${rollout.id}: ${rollout.phase} at step ${rollout.step + 1}/${rollout.stepCount}, weight ${rollout.weight}%`,
      );
      return ExitCode.ok;
    },
  });
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin?.isTTY) throw new UsageError('no terminal to confirm on; pass --yes to act without confirmation');
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const manualActionCommands = (['promote', 'abort', 'pause', 'resume'] as const).map(manualActionCommand);
