import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/free-port.js';
import { untilValue } from '../support/poll.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

export const BIN = resolve(import.meta.dirname, '../../dist/bin/adaptive-canary.js');

export interface Spawned {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/**
 * `run` with canary.yaml in the working folder, the dashboard and router on free ports and no live view; `extra`
 * adds flags (e.g. `--allow-unsigned`, `--id r1`).
 */
export function runArgs(stable: string, canary: string, extra: string[] = [], router = '127.0.0.1:0'): string[] {
  return ['run', '--policy', 'canary.yaml', '--stable', stable, '--canary', canary, ...extra].concat([
    '--listen',
    '127.0.0.1:0',
    '--router',
    router,
    '--no-ui',
  ]);
}

/** The built CLI as a user runs it. */
export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
  let text = '';
  child.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => text, exited };
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await untilValue(what, async () => ((await cond()) ? true : undefined), { timeoutMs });
}

/** Steady GET traffic against a URL until stopped; errors (e.g. the router restarting) are ignored. */
export function traffic(url: string, rps: number): () => void {
  const agent = new http.Agent({ keepAlive: true });
  const t = setInterval(() => {
    for (let i = 0; i < rps / 20; i++)
      http.get(`${url}/api/orders/x`, { agent }, (res) => res.resume()).on('error', () => undefined);
  }, 50);
  return () => {
    clearInterval(t);
    agent.destroy();
  };
}

/** A webhook receiver: records deliveries; `mode` makes it slow (never answers) or refuse with 500. */
export async function receiver(
  mode: 'ok' | 'hang' | 'fail' = 'ok',
): Promise<{ url: string; got: { id: string; event: string }[]; close(): Promise<void> }> {
  const got: { id: string; event: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({
        id: String(req.headers['x-adaptive-canary-delivery']),
        event: (JSON.parse(body) as { event: string }).event,
      });
      if (mode === 'hang') return;
      res.writeHead(mode === 'ok' ? 204 : 500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const TINY_SERVER =
  `require('node:http').createServer((q, s) => ` + `s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

/**
 * A folder for `run` with upstream COMMANDS (`node server.js`, a tiny server on $PORT) and a policy with one long
 * step: `args` run rollout r1 with state in state.db, the router on a free port and no live view.
 */
export async function upstreamWorkspace(): Promise<{ cwd: string; args: string[] }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ac-upstreams-'));
  writeFileSync(join(cwd, 'server.js'), TINY_SERVER);
  writeFileSync(
    join(cwd, 'canary.yaml'),
    maestroPolicyYaml(`  steps: [{weight: 20, bake: 10m}]
  signing: {required: false}
`),
  );
  const router = await freePort();
  const args = ['run', '--policy', 'canary.yaml', '--stable', 'node server.js', '--canary', 'node server.js'];
  args.push('--id', 'r1', '--state', 'state.db', '--listen', '127.0.0.1:0', '--router', `127.0.0.1:${router}`);
  return { cwd, args: [...args, '--no-ui'] };
}

/** An active Alertmanager v2 silence muting maestro-api (from a minute ago for an hour); `over` edits it. */
export const silence = (over: Record<string, unknown> = {}) => ({
  id: 'sil-1',
  status: { state: 'active' },
  matchers: [{ name: 'service', value: 'maestro-api', isRegex: false, isEqual: true }],
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  createdBy: 'someone',
  comment: 'noisy',
  ...over,
});
