import type { CommandSpec } from '../../cli/define-command.js';

/** Every `syntheticsctl` verb, in the order `--help` lists them. */
export const syntheticsctlCommands: CommandSpec<never>[] = [];
