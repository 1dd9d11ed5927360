import type { Option } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export interface CommandContext<O> {
  /** Positional arguments in the order declared by `args`. Variadic ones arrive as string[]. */
  args: (string | string[] | undefined)[];
  opts: O & { debug?: boolean };
  io: CliIO;
}

/**
 * A CLI verb, declared. Command files stay thin: declare options, parse, call a service, return an exit code.
 * Heavy dependencies are imported inside `run` so `--help` and other verbs start fast.
 */
export interface CommandSpec<O = Record<string, unknown>> {
  name: string;
  summary: string;
  /** Positional arguments in commander syntax, e.g. `<files...>` or `[suite]`. */
  args?: string[];
  options?: Option[];
  /** Shown under "Examples:" in --help. */
  examples?: string[];
  /** Subcommands (e.g. `evidence verify`); a command has either subcommands or `run`. */
  subcommands?: CommandSpec<never>[];
  /** Changes nothing outside its own output files. */
  readOnly?: boolean;
  run?: (ctx: CommandContext<O>) => Promise<ExitCode>;
}

export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<never> {
  return spec;
}
