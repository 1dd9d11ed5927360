import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaestroApi, type MaestroApi } from '../../src/demo/maestro-api.js';
import { installedBinary } from '../support/binaries.js';

// The built CLI, as a user runs it (`npm test` builds first; build here when dist is missing).
const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/bin/syntheticsctl.js');
const example = join(root, 'examples/maestro-api/synthetics/maestro-api-canary.yaml');
const dir = mkdtempSync(join(tmpdir(), 'syntheticsctl-e2e-'));
const SECRET = 'e2e-Secret-pw';
let api: MaestroApi;
const PARSE_JUNIT =
  `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
assert root.tag == 'testsuites'
out = []
for suite in root.iter('testsuite'):
    for case in suite.iter('testcase'):
        f = case.find('failure')
        out.append({'suite': suite.get('name'), 'case': case.get('name'), 'failure': None if f is None else ` +
  `f.get('message')})
print(json.dumps(out))
`;

/** Starts `syntheticsctl run` and resolves with its metrics URL once it prints it. */
async function startRun(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'run', ...args], {
    cwd: dir,
    env: { ...process.env, PROBE_PASSWORD: SECRET },
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((res, rej) => {
    const t = setInterval(() => {
      const m = /metrics at (http:\/\/\S+)\/metrics/.exec(out);
      if (m?.[1]) {
        clearInterval(t);
        res(m[1]);
      }
    }, 50);
    setTimeout(() => rej(new Error(`no URL in: ${out}`)), 15_000);
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  child.kill('SIGTERM');
  return exited;
}

/** Runs the CLI without blocking the event loop (the sample service answers from this process). */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, PROBE_PASSWORD: SECRET },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8' }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(bin)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  api = await startMaestroApi({ version: '1.4.0' });
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('syntheticsctl (built CLI)', () => {
  it('validate: 0 for the example, 2 with every problem as file:line:column on stderr', async () => {
    expect(await cli(['validate', example])).toMatchObject({ code: 0 });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: syntheticsctl/v1\nkind: ProbeSuite\nmetadata: {name: ' +
        'b}\nspec:\n  interval: 1s\n  timeout: 5s\n  flows:\n    - name: f\n   ' +
        '   stepz: []\n',
    );
    const r = await cli(['validate', bad, join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:9:7: error: unknown field "stepz" in spec.flows[0]`);
    expect(r.stderr).toContain(`${bad}:8:7: error: spec.flows[0].steps: required field is missing`);
    expect(r.stderr).toContain('missing.yaml: no such file');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('test: exit 0 against a healthy service, with no secret in any reporter', async () => {
    for (const reporter of ['list', 'json', 'junit']) {
      const r = await cli(['test', example, '--base-url', api.url, '--reporter', reporter]);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('test: exit 1 and JUnit XML with testsuite/testcase/failure when a flow fails', async () => {
    const broken = await startMaestroApi({ version: '1.5.0', faults: { brokenEndpoint: '/api/orders' } });
    try {
      const r = await cli(['test', example, '--base-url', broken.url, '--reporter', 'junit']);
      expect(r.code).toBe(1);
      // A real XML parser (Python's ElementTree) reads it the way CI tools do.
      const parsed = JSON.parse(
        execFileSync(installedBinary('python3'), ['-c', PARSE_JUNIT], { input: r.stdout, encoding: 'utf8' }),
      ) as { suite: string; case: string; failure: string | null }[];
      expect(parsed.length).toBeGreaterThan(3);
      const create = parsed.find((c) => c.suite === 'maestro-api-canary.login-and-order' && c.case === 'create-order');
      expect(create?.failure).toContain('expected 201, actual 500');
      expect(parsed.find((c) => c.case === 'healthz')?.failure).toBeNull();
    } finally {
      await broken.close();
    }
  });

  it('test: an unreachable target is a failed flow (exit 1); a missing env variable is exit 2', async () => {
    expect((await cli(['test', example, '--base-url', 'http://127.0.0.1:9'])).code).toBe(1);
    const env = { ...process.env };
    delete env.PROBE_PASSWORD;
    const r = await cli(['test', example, '--base-url', api.url], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment variable PROBE_PASSWORD is not set');
  });

  it('run: serves /metrics, records to SQLite, and SIGTERM keeps every result; uptime gates on --min', async () => {
    const db = join(dir, 'history.db');
    const suite = join(dir, 'fast.yaml');
    writeFileSync(
      suite,
      readFileSync(example, 'utf8').replace('interval: 30s', 'interval: 1s').replace('timeout: 10s', 'timeout: 1s'),
    );
    const healthy = await startRun([suite, '--listen', '127.0.0.1:0', '--db', db, '--base-url', api.url]);
    await new Promise((r) => setTimeout(r, 3000));
    const metrics = await fetch(`${healthy.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^probe_success\{flow="login-and-order"\} 1$/m);
    expect(metrics).toMatch(/^syntheticsctl_suite_info\{suite="maestro-api-canary",sha256="[0-9a-f]{64}"\} 1$/m);
    expect(await stop(healthy.child)).toBe(0);
    const out = healthy.output();
    const logged = out.split('\n').filter((l) => / (passed|degraded|failed) \d+ms/.test(l)).length;
    const count = (): number =>
      (new Database(db, { readonly: true }).prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
    expect(count()).toBe(logged);
    expect(logged).toBeGreaterThan(3);
    expect(out).not.toContain(SECRET);
    expect((await cli(['uptime', suite, '--db', db, '--min', '0.99'])).code).toBe(0);
    expect(JSON.parse((await cli(['uptime', suite, '--db', db, '--json'])).stdout)).toMatchObject({
      uptime: 1,
      reachability: 1,
      ok: true,
    });
    // The target goes away: failures are recorded too, and uptime drops below the gate.
    const down = await startRun([suite, '--listen', '127.0.0.1:0', '--db', db, '--base-url', 'http://127.0.0.1:9']);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
    expect(await stop(down.child)).toBe(0);
    expect(count()).toBeGreaterThan(logged);
    const below = await cli(['uptime', suite, '--db', db, '--min', '0.999']);
    expect(below.code).toBe(1);
    expect(below.stderr).toContain('below --min');
  });
});
