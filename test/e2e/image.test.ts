import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedBinary } from '../support/binaries.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { untilValue } from '../support/poll.js';
import { startScrapedPair, type ScrapedPair } from '../support/scraped-pair.js';
import { errorRatePolicy, seedAnnotatedRollout } from '../support/serve-cli.js';

// The controller image, built as `IMAGE_BASE=local npm run image` builds it (a Debian minbase + Node 22 base made
// here, since CI reaches no image registry; then the Containerfile), and run the way deploy/ runs it: read-only
// root filesystem (and not even a writable /tmp), the image's own user, no network. One run gets the host's network
// to reach the in-test Kubernetes API server and a real Prometheus on loopback.
const ROOT = resolve(import.meta.dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TAG = `localhost/adaptive-canary:${VERSION}`;
// runc and explicit ulimits: see scripts/build-image.sh (crun and podman's default ulimits fail on these hosts).
const RUN = [
  'run',
  '--rm',
  '--runtime',
  'runc',
  '--ulimit',
  'nofile=20000:20000',
  '--ulimit',
  'nproc=32768:32768',
  '--read-only',
  '--read-only-tmpfs=false',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
];
const MiB = 1024 * 1024;

function podman(args: string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(installedBinary('podman'), args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * MiB });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const offline = (args: string[]) => podman([...RUN, '--network', 'none', TAG, ...args]);
const node = (script: string) => podman([...RUN, '--network', 'none', '--entrypoint', 'node', TAG, '-e', script]);

/** The commit the image was built from, read before the build (a commit made while the test runs is not in it). */
let builtRevision = '';
beforeAll(() => {
  builtRevision = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const r = spawnSync('bash', [join(ROOT, 'scripts/build-image.sh')], {
    cwd: ROOT,
    env: { ...process.env, IMAGE_BASE: 'local' },
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 64 * MiB,
  });
  if (r.status !== 0) throw new Error(`npm run image failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}, 900_000);

describe('the controller image (IMAGE_BASE=local npm run image)', () => {
  it(
    'is tagged with the package version, labelled, runs as 65532:65532 ' + 'with NODE_ENV=production, and stays small',
    () => {
      const inspect = JSON.parse(podman(['image', 'inspect', TAG]).stdout) as {
        Size: number;
        Config: { User: string; Env: string[]; Labels: Record<string, string>; Entrypoint: string[] };
      }[];
      const { Config, Size } = inspect[0]!;
      expect(Config.User).toBe('65532:65532');
      expect(Config.Env).toContain('NODE_ENV=production');
      expect(Config.Entrypoint).toEqual(['node', '/app/dist/bin/adaptive-canary.js']);
      expect(builtRevision).toMatch(/^[0-9a-f]{40}$/);
      expect(Config.Labels).toMatchObject({
        'org.opencontainers.image.version': VERSION,
        'org.opencontainers.image.revision': builtRevision,
      });
      expect(Config.Labels['org.opencontainers.image.source']).toMatch(/^\S+$/);
      // Base (minbase + stripped Node 22 + npm + headers, about 230 MiB) plus the app: a budget that catches dev
      // dependencies or build leftovers slipping in.
      // Reported with every run (podman's uncompressed size, as `podman images` shows it; docs/image.md cites it).
      process.stdout.write(`image ${TAG}: ${(Size / 1e6).toFixed(0)} MB (${(Size / MiB).toFixed(0)} MiB)\n`);
      expect(Size / MiB).toBeLessThan(330);
    },
  );

  it('runs Node 22 as PID 1 and uid/gid 65532, with production dependencies only and better-sqlite3 for it', () => {
    const r = node(
      [
        "const fs = require('node:fs');",
        "const db = new (require('/app/node_modules/better-sqlite3'))(':memory:');",
        'console.log(JSON.stringify({',
        '  node: process.version, pid: process.pid, uid: process.getuid(), gid: process.getgid(),',
        '  env: process.env.NODE_ENV,',
        "  sqlite: db.prepare('select sqlite_version() as v').get().v,",
        "  dev: ['typescript', 'vitest', 'tsx', 'eslint'].filter((m) => fs.existsSync('/app/node_modules/' + m)),",
        "  writable: (() => { try { fs.writeFileSync('/tmp/x', 'x'); return true; } catch { return false; } })(),",
        '}));',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({
      node: expect.stringMatching(/^v22\./),
      pid: 1, // no init: node is PID 1, as in deploy/ (which is why serve handles SIGTERM itself)
      uid: 65532,
      gid: 65532,
      env: 'production',
      sqlite: expect.stringMatching(/^3\./),
      dev: [],
      writable: false,
    });
  });

  it('--version and serve --help work with no network and a read-only root', () => {
    const version = offline(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toBe(VERSION);
    const help = offline(['serve', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('--lease-name');
  });
});

describe('serve inside the container (host network, to reach the loopback API server and Prometheus)', () => {
  const NS = 'shop';
  const NAME = `adaptive-canary-image-test-${process.pid}`;
  let api: KubeApiServer;
  let argo: ArgoSimulator;
  let pair: ScrapedPair | undefined;
  let proc: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    // /api routes are where the canary's faults apply (an unauthenticated order lookup: 401, or the fault's 500).
    pair = await startScrapedPair({ path: '/api/orders/1' }, { faults: { errorRate: 0.5 } }); // a regressed canary
    api = await KubeApiServer.start();
    argo = new ArgoSimulator(api);
    const policy = errorRatePolicy('30s', {
      inconclusive: { maxExtension: '30s', then: 'rollback' },
      prometheus: { url: pair.prom.url, timeout: '2s' },
    });
    seedAnnotatedRollout(api, argo, NS, policy);
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'ac-image-')), 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeConfig(NS).exportConfig(), { mode: 0o644 });
    proc = spawn(
      installedBinary('podman'),
      [
        ...RUN,
        '--name',
        NAME,
        '--network',
        'host',
        // serve keeps its working copy of the evidence chain in the temp dir: deploy/ mounts an emptyDir there.
        '--tmpfs',
        '/tmp:rw,size=64m,mode=1777',
        '--volume',
        `${kubeconfig}:/etc/adaptive-canary/kubeconfig:ro`,
        TAG,
        'serve',
        '--kubeconfig',
        '/etc/adaptive-canary/kubeconfig',
        '--listen',
        '127.0.0.1:0',
        '--lease-namespace',
        'adaptive-canary',
        '--identity',
        'pod-in-image',
        '--allow-unsigned',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const line = await new Promise<string>((done, fail) => {
      createInterface({ input: proc!.stdout! }).once('line', done);
      proc!.once('exit', (code) => fail(new Error(`serve exited (${code}) before serving:\n${output}`)));
    });
    output += `${line}\n`;
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) podman(['kill', NAME]);
    argo?.close();
    await api?.close();
    await pair?.stop();
  });

  const until = <T>(what: string, get: () => T | undefined): Promise<T> =>
    untilValue(what, get, { timeoutMs: 60_000, detail: () => `serve output:\n${output}` });

  it(
    'takes the Lease, rolls the regressed canary back with an abort patch, ' +
      'and releases the Lease on SIGTERM as PID 1',
    async () => {
      const lease = () => api.leases.store.get('adaptive-canary', 'adaptive-canary-controller');
      expect(await until('the lease', () => lease()?.spec?.holderIdentity)).toBe('pod-in-image');
      await until('the abort', () => (api.getRollout(NS, 'maestro-api')?.status?.abort === true ? true : undefined));
      const abort = api.patches().filter((p) => JSON.stringify(p.body) === '{"status":{"abort":true}}');
      expect(abort).toHaveLength(1);
      const state = await until('the rolled-back state annotation', () => {
        const raw = api.getRollout(NS, 'maestro-api')?.metadata.annotations?.['adaptive-canary.dev/state'];
        const s = raw ? (JSON.parse(raw) as { stored: { state: { phase: string } } }) : undefined;
        return s?.stored.state.phase === 'rolled-back' ? s : undefined;
      });
      expect(state.stored.state.phase).toBe('rolled-back');
      // podman kill delivers SIGTERM to the container's PID 1, node itself (no init). Without a handler of its own
      // the kernel would drop the signal and the container would keep running.
      const exited = new Promise<number | null | 'still running'>((done) => {
        proc!.once('exit', done);
        setTimeout(() => done('still running'), 20_000);
      });
      expect(podman(['kill', '--signal', 'TERM', NAME]).code).toBe(0);
      expect(await exited).toBe(0);
      expect(output).toMatch(/SIGTERM: stopping/);
      expect(lease()?.spec?.holderIdentity).toBeUndefined();
    },
  );
});
