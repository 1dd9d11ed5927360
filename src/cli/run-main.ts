import { Command, CommanderError } from 'commander';
import { AppError, ConfigError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandSpec } from './define-command.js';
import { println, type CliIO } from '../io.js';

interface Program {
  name: string;
  description: string;
  version: string;
  commands: CommandSpec<never>[];
}

/**
 * Parses argv, runs one command and returns its exit code. Never exits the process (bin/ does that), so every
 * command can be tested in-process. User mistakes print a one-line message; `--debug` adds the stack.
 */
export async function runMain(program: Program, argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const root = new Command(program.name)
    .description(program.description)
    .version(program.version)
    .option('--debug', 'show stack traces and internal detail on errors')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const spec of program.commands) {
    root.addCommand(buildCommand(spec, io, (code) => (exitCode = code)));
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return reportError(err, io, argv.includes('--debug'));
  }
  return exitCode;
}

function buildCommand(spec: CommandSpec<never>, io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command(spec.name).description(spec.summary).exitOverride();
  cmd.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const a of spec.args ?? []) cmd.argument(a);
  for (const o of spec.options ?? []) cmd.addOption(o);
  if (spec.examples?.length) {
    cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
  for (const sub of spec.subcommands ?? []) cmd.addCommand(buildCommand(sub, io, setExit));
  const run = spec.run;
  if (run) {
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const args = params.slice(0, -2) as (string | string[] | undefined)[];
      const opts = self.optsWithGlobals<never>();
      setExit(await run({ args, opts, io }));
    });
  }
  return cmd;
}

function reportError(err: unknown, io: CliIO, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander; their exit code is 0.
    if (err.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof ConfigError) {
    println(io.stderr, err.message);
    println(io.stderr, `${err.diagnostics.length} problem${err.diagnostics.length === 1 ? '' : 's'} found.`);
  } else if (err instanceof AppError) {
    println(io.stderr, `error [${err.code}]: ${err.message}`);
  } else {
    println(io.stderr, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (!debug) println(io.stderr, '(this is a bug; run again with --debug for the stack trace)');
  }
  if (debug && err instanceof Error && err.stack) println(io.stderr, err.stack);
  return err instanceof AppError ? err.exitCode : ExitCode.failed;
}
