import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { println } from '../../io.js';
import { ExitCode } from '../../exit-codes.js';
import { parseListen } from '../../server/listen-address.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import { readLimitedFile } from '../../read-input.js';

interface RunOptions {
  listen: string;
  db?: string;
  baseUrl?: string;
  flow?: string[];
  tag?: string[];
  quiet?: boolean;
}

/** `syntheticsctl run SUITE`: the probe daemon until SIGTERM/SIGINT; in-flight probes finish and are recorded. */
export default defineCommand<RunOptions>({
  name: 'run',
  summary: 'run flows on their interval, serve /metrics and /probe, record every result in SQLite',
  args: ['<suite>'],
  options: [
    new Option('--listen <host:port>', 'address of /metrics, /probe and /healthz').default('127.0.0.1:9115'),
    new Option('--db <file>', 'SQLite history file (default .syntheticsctl/<suite>.db)'),
    new Option('--base-url <url>', 'target to probe (overrides spec.baseUrl)'),
    new Option('--flow <name...>', 'schedule only these flows'),
    new Option('--tag <tag...>', 'schedule only flows with one of these tags'),
    new Option('--quiet', 'do not log each result'),
  ],
  examples: ['syntheticsctl run synthetics/maestro-api-canary.yaml --listen 127.0.0.1:9115 --db probes.db'],
  async run({ args, opts, io }) {
    const { loadSuite } = await import('../../synthetics/prepare-suite.js');
    const { openHistory, defaultHistoryFile } = await import('../../synthetics/history.js');
    const { startProbeDaemon } = await import('../../synthetics/daemon.js');
    const file = args[0] as string;
    const { host, port } = parseListen(opts.listen);
    const prepared = loadSuite(file, { baseUrl: opts.baseUrl, env: io.env });
    const history = openHistory(opts.db ?? defaultHistoryFile(io.cwd, prepared.suite.metadata.name));
    let recorded = 0;
    const daemon = await startProbeDaemon({
      prepared,
      suiteText: readLimitedFile(file, INPUT_LIMITS.document),
      host,
      port,
      history,
      select: { flows: opts.flow, tags: opts.tag },
      onResult: (r) => {
        recorded++;
        if (!opts.quiet)
          println(
            io.stdout,
            `${new Date(r.startedAt).toISOString()} ${r.flow} ${r.status} ${Math.round(r.durationMs)}` +
              `ms${r.retries ? ` (${r.retries} retries)` : ''}`,
          );
      },
      onError: (m) => println(io.stderr, `error: ${m}`),
    }).catch((err: unknown) => {
      history.close();
      throw err;
    });
    const stopped = waitForStop();
    println(
      io.stdout,
      `syntheticsctl run: ${prepared.suite.metadata.name} (sha256 ${daemon.sha256.slice(0, 12)}` +
        `) → ${prepared.baseUrl}; metrics at ${daemon.url}/metrics`,
    );
    const signal = await stopped;
    println(io.stderr, `${signal}: finishing probes in flight...`);
    await daemon.close();
    println(io.stderr, `stopped; ${recorded} results recorded this run`);
    return ExitCode.ok;
  },
});
