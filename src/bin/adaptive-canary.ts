#!/usr/bin/env node
import { dropOutputOnClosedPipe, processIO } from '../io.js';
import { runMain } from '../cli/run-main.js';
import { adaptiveCanaryCommands } from '../commands/adaptive-canary/index.js';
import { VERSION } from '../version.js';

dropOutputOnClosedPipe(process.stdout);
dropOutputOnClosedPipe(process.stderr);
const code = await runMain(
  {
    name: 'adaptive-canary',
    description:
      'Canary release controller and toolkit: judge, demo, replay, preflight, render, sign/verify, evidence, report.',
    version: VERSION,
    commands: adaptiveCanaryCommands,
  },
  process.argv.slice(2),
  processIO(),
);
process.exitCode = code;
