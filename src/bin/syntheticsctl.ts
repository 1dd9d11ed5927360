#!/usr/bin/env node
import { dropOutputOnClosedPipe, processIO } from '../io.js';
import { runMain } from '../cli/run-main.js';
import { syntheticsctlCommands } from '../commands/syntheticsctl/index.js';
import { VERSION } from '../version.js';

dropOutputOnClosedPipe(process.stdout);
dropOutputOnClosedPipe(process.stderr);
const code = await runMain(
  {
    name: 'syntheticsctl',
    description: 'Synthetic probe suites: validate, test, run (blackbox-exporter compatible /metrics), uptime.',
    version: VERSION,
    commands: syntheticsctlCommands,
  },
  process.argv.slice(2),
  processIO(),
);
process.exitCode = code;
