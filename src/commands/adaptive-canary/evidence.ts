import { relative, resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import type { RolloutLiveness } from '../../evidence/completeness.js';

interface Common {
  root: string;
  state?: string;
  json?: boolean;
}

const rootOption = (): Option => new Option('--root <dir>', 'evidence root').default('.evidence');
const stateOption = (): Option =>
  new Option(
    '--state <file>',
    'controller state database, consulted to tell a running or interrupted rollout from a cut-off chain',
  ).default('.adaptive-canary/state.db');

/** The state database's view of rollouts (running / interrupted / finished), closed after `use`. */
async function withLiveness<T>(
  opts: Common,
  cwd: string,
  use: (l: (id: string) => RolloutLiveness | undefined) => T,
): Promise<T> {
  const { openLiveness } = await import('../../controller/rollout-liveness.js');
  const reader = await openLiveness(resolve(cwd, opts.state ?? '.adaptive-canary/state.db'));
  try {
    return use(reader.liveness);
  } finally {
    reader.close();
  }
}
const jsonOption = (): Option => new Option('--json', 'print JSON instead of text');

const list = defineCommand<Common & { service?: string }>({
  name: 'list',
  summary: 'List recorded rollouts with outcome, record count and chain integrity',
  readOnly: true,
  options: [rootOption(), new Option('--service <name>', 'only this service'), stateOption(), jsonOption()],
  async run({ opts, io }) {
    const { listRollouts, readRollout } = await import('../../evidence/read.js');
    const { listRow, listTable } = await import('../../evidence/cli/views.js');
    const rollouts = await withLiveness(opts, io.cwd, (liveness) =>
      listRollouts(resolve(io.cwd, opts.root))
        .map((d) => readRollout(d, liveness))
        .filter((r) => !opts.service || r.meta.service === opts.service),
    );
    if (opts.json) println(io.stdout, JSON.stringify({ data: rollouts.map(listRow) }, null, 2));
    else if (rollouts.length === 0) println(io.stderr, `no rollouts under ${opts.root}`);
    else for (const line of listTable(rollouts)) println(io.stdout, line);
    return ExitCode.ok;
  },
});

const show = defineCommand<Common>({
  name: 'show',
  summary: 'Show one rollout: outcome, decisions with reasons, webhook deliveries, integrity',
  args: ['<rollout>'],
  readOnly: true,
  options: [rootOption(), stateOption(), jsonOption()],
  examples: [
    'adaptive-canary evidence show r-20260803-1012',
    'adaptive-canary evidence show maestro-api/r-20260803-1012 --json',
  ],
  async run({ args, opts, io }) {
    const { resolveRollout } = await import('../../evidence/cli/resolve.js');
    const { readRollout } = await import('../../evidence/read.js');
    const { showHeader } = await import('../../evidence/cli/views.js');
    const { renderSummary } = await import('../../evidence/write-ups/summary.js');
    const dir = resolveRollout(args[0] as string, resolve(io.cwd, opts.root), io.cwd);
    const r = await withLiveness(opts, io.cwd, (liveness) => readRollout(dir, liveness));
    if (opts.json) {
      println(
        io.stdout,
        JSON.stringify(
          { meta: r.meta, integrity: r.integrity, records: r.records, deliveries: r.deliveries, incident: r.incident },
          null,
          2,
        ),
      );
    } else {
      println(io.stdout, renderSummary(r));
      for (const line of showHeader(r)) println(io.stdout, line);
    }
    return r.integrity.ok ? ExitCode.ok : ExitCode.failed;
  },
});

const verify = defineCommand<Common & { key?: string }>({
  name: 'verify',
  summary:
    'Check the hash chains and that each is complete: exit 1 naming the ' +
    'first bad or missing record when anything was edited, inserted, ' +
    'deleted, reordered or cut; with --key, also that each head.json is ' +
    'signed by the evidence key (exit 1 when unsigned or badly signed)',
  args: ['[rollout]'],
  readOnly: true,
  options: [
    rootOption(),
    stateOption(),
    new Option(
      '--key <file>',
      'cosign public key of the evidence key (`run`/`serve --evidence-key`): ' +
        "each head.json must carry a valid signature by it, so the chain's end is attested, not only its records",
    ),
    jsonOption(),
  ],
  examples: [
    'adaptive-canary evidence verify',
    'adaptive-canary evidence verify r-20260803-1012',
    'adaptive-canary evidence verify .evidence/maestro-api/r-20260803-1012',
    'adaptive-canary evidence verify --key evidence.pub',
  ],
  async run({ args, opts, io }) {
    const { resolveRollout } = await import('../../evidence/cli/resolve.js');
    const { listRollouts } = await import('../../evidence/read.js');
    const { verifyEvidence } = await import('../../evidence/verify.js');
    const { verifyLine } = await import('../../evidence/cli/views.js');
    const { headSignatureCheck } = await import('../../supply-chain/evidence-key.js');
    const root = resolve(io.cwd, opts.root);
    // The key first: a bad key file is a usage error (exit 2) whatever the evidence says.
    const headSignature = opts.key ? headSignatureCheck(resolve(io.cwd, opts.key)) : undefined;
    const dirs = args[0] ? [resolveRollout(args[0] as string, root, io.cwd)] : listRollouts(root);
    if (dirs.length === 0) throw new UsageError(`no evidence to verify under ${opts.root}`);
    const results = await withLiveness(opts, io.cwd, (liveness) =>
      dirs.map((d) => verifyEvidence(d, { liveness, ...(headSignature ? { headSignature } : {}) })),
    );
    const ok = results.every((r) => r.ok);
    if (opts.json) println(io.stdout, JSON.stringify({ ok, rollouts: results }, null, 2));
    else for (const r of results) println(r.ok ? io.stdout : io.stderr, verifyLine(r, io.cwd));
    return ok ? ExitCode.ok : ExitCode.failed;
  },
});

interface MarkOptions extends Common {
  key?: string;
  falseAbort?: boolean;
  resolved?: boolean;
  why?: string;
  by?: string;
}

const mark = defineCommand<MarkOptions>({
  name: 'mark',
  summary: "Record a person's judgement on a finished rollout (chained, so tamper-evident too)",
  args: ['<rollout>'],
  options: [
    rootOption(),
    new Option('--false-abort', 'the rollback should not have happened (counts in the false-abort rate)'),
    new Option('--resolved', 'the post-incident review is done'),
    new Option('--why <text>', 'the reason, in a sentence').makeOptionMandatory(),
    new Option('--by <name>', 'who marks it (default: $USER)'),
    new Option(
      '--key <file>',
      'the evidence key (cosign private key; password from COSIGN_PASSWORD or a prompt): signs the new head. ' +
        'Needed when the head is signed, so the mark keeps it signed',
    ),
    jsonOption(),
  ],
  examples: ['adaptive-canary evidence mark r-20260803-1012 --false-abort --why "probe target outage hit stable too"'],
  async run({ args, opts, io }) {
    if (!opts.falseAbort && !opts.resolved) throw new UsageError('say what to mark: --false-abort and/or --resolved');
    const { markRollout } = await import('../../evidence/cli/mark.js');
    const { loadHeadSigner } = await import('../../supply-chain/evidence-key.js');
    const root = resolve(io.cwd, opts.root);
    // Only --key: the mark is a person's act, not the controller's (its environment's key is not implied).
    const signHead = opts.key ? await loadHeadSigner(io, opts.key) : undefined;
    const record = markRollout({
      ...(signHead ? { signHead } : {}),
      rollout: args[0] as string,
      root,
      cwd: io.cwd,
      falseAbort: opts.falseAbort === true,
      resolved: opts.resolved === true,
      why: opts.why ?? '',
      by: opts.by ?? io.env.USER ?? 'unknown',
    });
    if (opts.json) println(io.stdout, JSON.stringify(record, null, 2));
    else
      println(
        io.stdout,
        `marked ${record.rolloutId}${opts.falseAbort ? ' as a false abort' : ''}` +
          `${opts.resolved ? ' as resolved' : ''}` +
          ` (record ${record.seq}, hash ${record.hash.slice(0, 16)}…)`,
      );
    return ExitCode.ok;
  },
});

interface PullOptions extends Common {
  kubeconfig?: string;
  namespace?: string;
  evidenceNamespace: string;
}

const pull = defineCommand<PullOptions>({
  name: 'pull',
  summary:
    "Bring a cluster's evidence home (the ConfigMaps `serve` writes) as " +
    '.evidence/<service>/<rollout-id>/ and .prbodies/',
  options: [
    rootOption(),
    new Option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG or ~/.kube/config)'),
    new Option('--namespace <ns>', "only the evidence of Rollouts in this namespace (default: every namespace's)"),
    new Option('--evidence-namespace <ns>', 'where the controller keeps the evidence ConfigMaps').default(
      'adaptive-canary',
    ),
    jsonOption(),
  ],
  examples: [
    'adaptive-canary evidence pull --kubeconfig ~/.kube/config --namespace shop && adaptive-canary evidence verify',
  ],
  async run({ opts, io }) {
    const { loadKubeConfig } = await import('../../controller/cluster/kubeconfig.js');
    const { pullEvidence } = await import('../../controller/cluster/evidence-pull.js');
    const root = resolve(io.cwd, opts.root);
    const pulled = await pullEvidence({
      kubeConfig: await loadKubeConfig(opts.kubeconfig && resolve(io.cwd, opts.kubeconfig)),
      evidenceNamespace: opts.evidenceNamespace,
      rolloutNamespace: opts.namespace,
      root,
    });
    if (opts.json) println(io.stdout, JSON.stringify({ data: pulled }, null, 2));
    else if (pulled.length === 0)
      println(
        io.stderr,
        `no evidence in ${opts.evidenceNamespace}${opts.namespace ? ` for namespace ${opts.namespace}` : ''}`,
      );
    else
      for (const p of pulled)
        println(
          io.stdout,
          `${p.status === 'written' ? 'pulled' : "kept local (it extends the cluster's)"}` +
            ` ${p.rollout} → ${relative(io.cwd, p.dir) || '.'} (${p.records} ` +
            `records)`,
        );
    return ExitCode.ok;
  },
});

export default defineCommand({
  name: 'evidence',
  summary: 'Inspect and verify the hash-chained evidence in .evidence/ (or pull it from a cluster)',
  subcommands: [list, show, verify, mark, pull],
});
