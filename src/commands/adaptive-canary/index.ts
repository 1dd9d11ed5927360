import type { CommandSpec } from '../../cli/define-command.js';
import render from './render.js';
import { sampleServiceCommand } from './sample-service.js';

/** Every `adaptive-canary` verb, in the order `--help` lists them. */
export const adaptiveCanaryCommands: CommandSpec<never>[] = [render, sampleServiceCommand];
