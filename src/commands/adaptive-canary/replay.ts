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
    "Replay recorded rollouts (JSON Lines) through the controller's own " +
    'decision engine: the judge and the rollout state machine, fed each ' +
    'recorded interval as one analysis interval. Without --policy the ' +
    "steps are the recording's own (each run of one recorded weight is a " +
    'step, baked as long as it was recorded); with one, its steps decide ' +
    'when the controller would have moved on (a note says when its weight ' +
    "would have differed from the recording's). Exit 0: no file rolled " +
    'back (promoted or inconclusive); 1: at least one rollback; 2: bad ' +
    'input',
  args: ['<files...>'],
  readOnly: true,
  options: [
    new Option(
      '--policy <file>',
      'canary.yaml to apply (default: built-in playbook defaults, α = 0.01, with the recording’s own steps)',
    ),
    new Option('--judge <name>', 'override the policy judge').choices(['sequential', 'kayenta', 'threshold']),
    new Option('--json', 'one JSON object per file: {"file","decision","at","reasons","rule","score"}'),
  ],
  examples: [
    'adaptive-canary replay examples/replays/*.jsonl',
    'adaptive-canary replay --policy canary.yaml --judge kayenta --json incident.jsonl',
  ],
  async run({ args, opts, io }) {
    const { runReplay } = await import('../../app/replay/replay-service.js');
    const files = (args[0] as string[] | undefined) ?? [];
    const outcomes = runReplay(files, opts, io);
    return outcomes.some((o) => o === 'rollback') ? ExitCode.failed : ExitCode.ok;
  },
});
