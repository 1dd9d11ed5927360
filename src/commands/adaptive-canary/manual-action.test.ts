import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from '../../cli/run-main.js';
import type { CliIO } from '../../io.js';
import { startServer } from '../../server/index.js';
import { FakeControllerView, makeSnapshot } from '../../../test/e2e/support/fake-controller-view.js';
import { manualActionCommands } from './manual-action.js';

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({ write: (chunk: Buffer, _e, cb) => (append(chunk.toString()), cb()) });
  return {
    io: {
      stdout: sink((s) => (out += s)),
      stderr: sink((s) => (err += s)),
      env: { ADAPTIVE_CANARY_TOKEN: 'sekret' },
      cwd: process.cwd(),
    },
    out: () => out,
    err: () => err,
  };
}

const program = { name: 'adaptive-canary', description: '', version: '0', commands: manualActionCommands };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

async function serve(): Promise<{ url: string; view: FakeControllerView }> {
  const view = new FakeControllerView();
  view.upsert(makeSnapshot({ id: 'r1', phase: 'progressing', step: 0, weight: 10 }));
  const server = await startServer({ listen: '127.0.0.1:0', view, registry: new Registry(), token: 'sekret' });
  closers.push(() => server.close());
  return { url: server.url, view };
}

describe('promote / abort / pause / resume', () => {
  it('aborts a rollout through the controller API with the token and records the actor', async () => {
    const { url, view } = await serve();
    const c = capture();
    const code = await runMain(program, ['abort', 'r1', '--server', url, '--yes', '--actor', 'alice'], c.io);
    expect(code).toBe(0);
    expect(c.out()).toMatch(/r1: rolled-back .* weight 0%/);
    expect(view.actions).toEqual([{ id: 'r1', action: 'abort', actor: 'user:alice' }]);
  });

  it('refuses a destructive action without --yes when there is no terminal (exit 2, nothing sent)', async () => {
    const { url, view } = await serve();
    const c = capture();
    expect(await runMain(program, ['promote', 'r1', '--server', url], c.io)).toBe(2);
    expect(c.err()).toMatch(/pass --yes/);
    expect(view.actions).toEqual([]);
  });

  it("a wrong token is a failed check (exit 1) with the server's code", async () => {
    const { url, view } = await serve();
    const c = capture();
    c.io.env.ADAPTIVE_CANARY_TOKEN = 'wrong';
    expect(await runMain(program, ['promote', 'r1', '--server', url, '--yes'], c.io)).toBe(1);
    expect(c.err()).toMatch(/E_UNAUTHORIZED/);
    expect(view.actions).toEqual([]);
  });

  it('an unknown rollout is a usage error (exit 2); an unreachable controller exits 3', async () => {
    const { url } = await serve();
    const c = capture();
    expect(await runMain(program, ['pause', 'nope', '--server', url], c.io)).toBe(2);
    expect(c.err()).toMatch(/E_ROLLOUT_NOT_FOUND/);
    expect(await runMain(program, ['pause', 'r1', '--server', 'http://127.0.0.1:1'], c.io)).toBe(3);
  });
});
