import type { CommandSpec } from '../../cli/define-command.js';
import run from './run.js';
import test from './test.js';
import uptime from './uptime.js';
import validate from './validate.js';

/** Every `syntheticsctl` verb, in the order `--help` lists them. */
export const syntheticsctlCommands: CommandSpec<never>[] = [validate, test, run, uptime];
