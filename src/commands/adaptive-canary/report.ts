import { resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { parseDuration } from '../../schema/duration.js';

interface Options {
  for: 'evidence-review' | 'standup';
  since: string;
  out?: string;
  json?: boolean;
  root: string;
  now?: string;
}

export default defineCommand<Options>({
  name: 'report',
  summary: "The team's rhythm from .evidence/: Friday evidence review or Monday standup, as Markdown, HTML or JSON",
  readOnly: true,
  options: [
    new Option('--for <audience>', 'which meeting').choices(['evidence-review', 'standup']).default('evidence-review'),
    new Option('--since <duration>', 'window ending now, e.g. 7d, 24h').default('7d'),
    new Option(
      '--out <file>',
      'write report.html (self-contained, with charts) or report.md instead of printing Markdown',
    ),
    new Option('--json', 'print the numbers as JSON'),
    new Option('--root <dir>', 'evidence root').default('.evidence'),
    new Option('--now <iso-time>', 'end of the window (default: now), for reproducible reports'),
  ],
  examples: [
    'adaptive-canary report --for evidence-review --since 7d --out report.html',
    'adaptive-canary report --for standup --out standup.md',
    'adaptive-canary report --json | jq .falseAbort',
  ],
  async run({ opts, io }) {
    const sinceMs = parseDuration(opts.since);
    if (sinceMs === undefined || sinceMs <= 0)
      throw new UsageError(`--since: not a duration: ${opts.since} (use e.g. 7d, 24h)`);
    const now = opts.now === undefined ? Date.now() : Date.parse(opts.now);
    if (Number.isNaN(now)) throw new UsageError(`--now: not a time: ${opts.now}`);
    const format =
      opts.out === undefined
        ? 'md'
        : /\.html?$/i.test(opts.out)
          ? 'html'
          : /\.(md|markdown)$/i.test(opts.out)
            ? 'md'
            : undefined;
    if (!format) throw new UsageError('--out must end in .html or .md');
    const { writeReport } = await import('../../evidence/report/write.js');
    const result = writeReport({
      kind: opts.for,
      root: resolve(io.cwd, opts.root),
      sinceMs,
      now,
      cwd: io.cwd,
      format,
      ...(opts.out ? { out: resolve(io.cwd, opts.out) } : {}),
    });
    if (opts.json) println(io.stdout, JSON.stringify(result.report, null, 2));
    else if (opts.out) println(io.stdout, `wrote ${opts.out} (${result.summary})`);
    else io.stdout.write(result.text);
    for (const warning of result.warnings) println(io.stderr, `warning: ${warning}`);
    return ExitCode.ok;
  },
});
