import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  policy?: string;
  judge?: 'sequential' | 'kayenta' | 'threshold';
  json?: boolean;
}

export default defineCommand<Options>({
  name: 'replay',
  summary:
    "Replay recorded rollouts (JSON Lines) through a policy: what it would have decided, and when — by the controller's rules: promote on a pass once the steps' bakes are done, or earlier when every critical metric's confidence sequence is within tolerance and at least half the planned bake has been observed (each recorded interval counts one policy interval). Exit 0: no file rolled back (promoted or inconclusive); 1: at least one rollback; 2: bad input",
  args: ['<files...>'],
  readOnly: true,
  options: [
    new Option('--policy <file>', 'canary.yaml to apply (default: built-in playbook defaults, α = 0.01)'),
    new Option('--judge <name>', 'override the policy judge').choices(['sequential', 'kayenta', 'threshold']),
    new Option('--json', 'one JSON object per file: {"file","decision","at","reasons"}'),
  ],
  examples: [
    'adaptive-canary replay examples/replays/*.jsonl',
    'adaptive-canary replay --policy canary.yaml --judge kayenta --json incident.jsonl',
  ],
  async run({ args, opts, io }) {
    const { runReplay } = await import('./replay-service.js');
    const files = (args[0] as string[] | undefined) ?? [];
    const outcomes = runReplay(files, opts, io);
    return outcomes.some((o) => o === 'rollback') ? ExitCode.failed : ExitCode.ok;
  },
});
