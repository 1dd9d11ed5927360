import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../cli/io.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
  policy: string;
  stable: string;
  canary: string;
  listen: string;
  router: string;
  state?: string;
  id?: string;
  suite?: string;
  ui: boolean;
  startTimeout: string;
  allowUnsigned?: boolean;
}

export default defineCommand<Options>({
  name: 'run',
  summary: 'Drive a canary rollout of your own service on this machine through the embedded weighted router',
  options: [
    new Option('--policy <file>', 'the release policy (canary.yaml)').makeOptionMandatory(),
    new Option('--stable <url|cmd>', 'stable version: a URL, or a command serving HTTP on $PORT').makeOptionMandatory(),
    new Option('--canary <url|cmd>', 'canary version: a URL, or a command serving HTTP on $PORT').makeOptionMandatory(),
    new Option('--listen <host:port>', 'dashboard, API and /metrics; port 0 picks a free one').default('127.0.0.1:8080'),
    new Option('--router <host:port>', 'where the router listens for your traffic').default('127.0.0.1:8000'),
    new Option('--state <file>', 'controller state (SQLite); an unfinished rollout in it is resumed').default('.adaptive-canary/state.db'),
    new Option('--id <rollout-id>', 'rollout id (default: resume the unfinished one, else <service>-<time>)'),
    new Option('--suite <file>', 'synthetic probe suite run against both versions every interval'),
    new Option('--no-ui', 'no live terminal view: one line per event'),
    new Option('--start-timeout <duration>', 'how long a command upstream may take to listen').default('30s'),
    new Option('--allow-unsigned', 'roll out even though rollouts.yaml next to the policy is unsigned or does not verify (local experiments; warned and recorded in the evidence)'),
  ],
  examples: [
    'adaptive-canary run --policy canary.yaml --stable http://127.0.0.1:9001 --canary "node server.js"',
    'adaptive-canary run --policy canary.yaml --stable http://10.0.0.5:8080 --canary http://10.0.0.6:8080 --suite synthetics/maestro-api-canary.yaml',
  ],
  async run({ opts, io }) {
    const { loadPolicy } = await import('../../controller/load-policy.js');
    const { runLocal } = await import('../../controller/run-local.js');
    const { parseDuration } = await import('../../schema/duration.js');
    const { checkSignedManifest } = await import('../../controller/manifest-gate.js');
    const policyFile = resolve(io.cwd, opts.policy);
    const policy = loadPolicy(policyFile, io.env);
    const gate = checkSignedManifest(dirname(policyFile), policy.spec, { allowUnsigned: opts.allowUnsigned === true });
    if (gate.warning) println(io.stderr, `WARNING: ${gate.warning}`);
    let suite;
    if (opts.suite) {
      const { loadSuite } = await import('../../synthetics/prepare-suite.js');
      const env = { ...io.env, TARGET_URL: io.env.TARGET_URL ?? 'http://127.0.0.1' };
      suite = { suite: loadSuite(resolve(io.cwd, opts.suite), { env }).suite, env };
    }
    const result = await runLocal({
      io, policy, stable: opts.stable, canary: opts.canary, listen: opts.listen, router: opts.router,
      stateFile: opts.state ?? '.adaptive-canary/state.db', id: opts.id, suite,
      live: opts.ui && io.stdout.isTTY === true, token: io.env.ADAPTIVE_CANARY_TOKEN,
      upstreamStartTimeoutMs: parseDuration(opts.startTimeout) ?? 30_000, notes: [gate.note],
    });
    const s = result.snapshot;
    if (result.held !== undefined) {
      println(io.stderr, `held: ${s.id} was not started (spec.alerting.silenceCheck: hold); expire the silence or plan it in spec.alerting.maintenanceWindow, then run again`);
      return ExitCode.failed;
    }
    if (result.left) {
      println(io.stdout, `left rollout ${s.id} at step ${s.step + 1}/${s.stepCount} (${s.weight}%); run the same command to resume it`);
      return ExitCode.ok;
    }
    const last = s.decisions.at(-1);
    println(io.stdout, `${s.id}: ${s.phase}${last ? ` by ${last.by}` : ''}${s.rollbackDurationSeconds !== null ? `; rollback took ${(s.rollbackDurationSeconds * 1000).toFixed(3)} ms` : ''}; evidence in ${s.evidenceDir ?? '-'}`);
    return s.phase === 'promoted' ? ExitCode.ok : ExitCode.failed;
  },
});
