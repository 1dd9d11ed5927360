import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../cli/define-command.js';
import { adaptiveCanaryCommands } from './adaptive-canary/index.js';
import { syntheticsctlCommands } from './syntheticsctl/index.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's command table for one CLI: from its "`cli` —" line to the next blank line after the table. */
function table(cli: string): string {
  const start = README.indexOf(`\`${cli}\` —`);
  expect(start, `README has no table for ${cli}`).toBeGreaterThanOrEqual(0);
  return README.slice(start).split(/\n\n(?!\|)/)[0] ?? '';
}

/** Every verb `--help` lists, subcommands as "evidence list", "evidence pull", …. */
function verbs(specs: CommandSpec<never>[]): string[] {
  return specs.flatMap((s) => [s.name, ...(s.subcommands ?? []).map((sub) => `${s.name} ${sub.name}`)]);
}

/** A cell starts with the verb (`run …`), or lists it after another (`promote X` / `abort X`, `keygen`, `sign`). */
function mentions(rows: string, verb: string): boolean {
  const [name, sub] = verb.split(' ');
  const cell = rows.split('\n').filter((row) => new RegExp(`(\\| |/ |, )\`${name}[ \`]`).test(row));
  return sub === undefined ? cell.length > 0 : cell.some((row) => new RegExp(`[ |]${sub}[\\\\|\` ]`).test(row));
}

describe('README commands', () => {
  it.each([
    ['adaptive-canary', adaptiveCanaryCommands],
    ['syntheticsctl', syntheticsctlCommands],
  ] as const)('lists every %s command that --help prints', (cli, specs) => {
    const rows = table(cli);
    expect(verbs(specs).length).toBeGreaterThan(3);
    expect(verbs(specs).filter((v) => !mentions(rows, v))).toEqual([]);
  });
});
