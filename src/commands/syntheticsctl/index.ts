import type { CommandSpec } from '../../cli/define-command.js';
import { runCommand } from './run.js';
import { testCommand } from './test.js';
import { uptimeCommand } from './uptime.js';
import { validateCommand } from './validate.js';

/** Every `syntheticsctl` verb, in the order `--help` lists them. */
export const syntheticsctlCommands: CommandSpec<never>[] = [validateCommand, testCommand, runCommand, uptimeCommand];
