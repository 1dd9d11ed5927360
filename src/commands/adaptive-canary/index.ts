import type { CommandSpec } from '../../cli/define-command.js';
import dashboard from './dashboard.js';
import demo from './demo.js';
import drill from './drill.js';
import evidence from './evidence.js';
import init from './init.js';
import keygen from './keygen.js';
import { manualActionCommands } from './manual-action.js';
import preflight from './preflight.js';
import render from './render.js';
import replay from './replay.js';
import run from './run.js';
import report from './report.js';
import serve from './serve.js';
import sign from './sign.js';
import verify from './verify.js';
import sampleService from './sample-service.js';

/** Every `adaptive-canary` verb, in the order `--help` lists them. */
export const adaptiveCanaryCommands: CommandSpec<never>[] = [
  demo,
  run,
  serve,
  ...manualActionCommands,
  drill,
  replay,
  preflight,
  render,
  init,
  keygen,
  sign,
  verify,
  evidence,
  report,
  dashboard,
  sampleService,
];
