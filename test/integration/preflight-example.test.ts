import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/supply-chain-cli.js';
import { copyExample, serveSuiteInfo, writeHistory } from './support/preflight-fixture.js';

// Preflight on copies of examples/maestro-api: the good example passes (the error budget needs Prometheus or the
// controller state, covered in preflight-prometheus.test.ts and preflight-state.test.ts, and the copy has neither,
// so it is explicitly allowed as unknown here), broken copies fail by name.
let dir: string;
let db: string;
let suite: { url: string; server: Server };

beforeAll(async () => {
  dir = copyExample();
  db = join(dir, 'history.db');
  writeHistory(db, { now: Date.now(), days: 7, failures: 5 });
  suite = await serveSuiteInfo(join(dir, 'synthetics/maestro-api-canary.yaml'));
});
afterAll(() => suite.server.close());

const preflight = (cwd: string, extra: string[] = []): ReturnType<typeof runCli> =>
  runCli(
    [
      'preflight',
      '--policy',
      'canary.yaml',
      '--synthetics-db',
      db,
      '--synthetics-url',
      suite.url,
      '--allow-unknown',
      'error-budget',
      ...extra,
    ],
    { cwd },
  );

describe('preflight on the paved-road example', () => {
  it('passes, printing each check with its numbers, and says which unknown was allowed', async () => {
    const r = await preflight(dir);
    expect(r.stdout).toMatch(/^✓ promotion-criteria: .*all 10 criteria/m);
    expect(r.stdout).toMatch(/^\? error-budget: .*\(unknown, allowed by --allow-unknown\)/m);
    expect(r.stdout).toMatch(
      /^✓ synthetic-suite: .*uptime 99\.9\d\d% over 7d from syntheticsctl history \(required ≥ 99\.900%\)/m,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✓ synthetic-suite-signature: synthetics\/maestro-api-canary` +
          String.raw`\.yaml verifies against cosign\.pub \(sig \+ bundle\)$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^✓ synthetic-suite-sync: /m);
    expect(r.stdout).toMatch(/^✓ signature: rollouts\.yaml verifies against cosign\.pub \(sig \+ bundle\)/m);
    expect(r.stdout).toMatch(/^✓ admission-policy: /m);
    expect(r.code).toBe(0);
  });

  it('--json gives name/status/reason per check', async () => {
    const r = await preflight(dir, ['--json']);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: { name: string; status: string }) => `${c.name}=${c.status}`)).toEqual([
      'promotion-criteria=pass',
      'error-budget=unknown',
      'synthetic-suite=pass',
      'synthetic-suite-signature=pass',
      'synthetic-suite-sync=pass',
      'signature=pass',
      'admission-policy=pass',
    ]);
  });

  it('without --allow-unknown an unknown check fails the run', async () => {
    const r = await runCli(
      ['preflight', '--policy', 'canary.yaml', '--synthetics-db', db, '--synthetics-url', suite.url],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Not ready: 0 failed, 1 unknown/);
  });

  it('fails the signature check, naming rollouts.yaml, when one byte changes', async () => {
    const broken = copyExample();
    const file = join(broken, 'rollouts.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 4', 'replicas: 5'));
    const r = await preflight(broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^✗ signature: rollouts\.yaml does not verify \(rollouts\.yaml\.sig\): invalid signature/m,
    );
  });

  it('fails the suite signature check, naming the suite file, when one byte of it changes', async () => {
    const broken = copyExample();
    const file = join(broken, 'synthetics/maestro-api-canary.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('interval: 30s', 'interval: 31s'));
    expect(readFileSync(file).length).toBe(Buffer.byteLength(text));
    const r = await preflight(broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✓ synthetic-suite: synthetics\/maestro-api-canary\.yaml is valid;/m);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✗ synthetic-suite-signature: synthetics\/maestro-api-canary` +
          String.raw`\.yaml does not verify \(synthetics\/maestro-api-canary\.yam` +
          String.raw`l\.sig\): invalid signature`,
        'm',
      ),
    );
  });

  it('fails the suite signature check when the suite is not signed', async () => {
    const broken = copyExample();
    rmSync(join(broken, 'synthetics/maestro-api-canary.yaml.sig'));
    rmSync(join(broken, 'synthetics/maestro-api-canary.yaml.sigstore.json'));
    const r = await preflight(broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✗ synthetic-suite-signature: synthetics\/maestro-api-canary` +
          String.raw`\.yaml is not signed \(no synthetics\/maestro-api-canary\.ya` +
          String.raw`ml\.sig or synthetics\/maestro-api-canary\.yaml\.sigstore\.j` +
          String.raw`son\)$`,
        'm',
      ),
    );
  });

  it('fails the suite signature check, naming the bundle, when only the bundle is tampered with', async () => {
    const broken = copyExample();
    const bundle = join(broken, 'synthetics/maestro-api-canary.yaml.sigstore.json');
    const b = JSON.parse(readFileSync(bundle, 'utf8')) as { messageSignature: { messageDigest: { digest: string } } };
    const d = Buffer.from(b.messageSignature.messageDigest.digest, 'base64');
    d[0] = d[0]! ^ 1;
    b.messageSignature.messageDigest.digest = d.toString('base64');
    writeFileSync(bundle, JSON.stringify(b));
    const r = await preflight(broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✗ synthetic-suite-signature: synthetics\/maestro-api-canary` +
          String.raw`\.yaml does not verify \(synthetics\/maestro-api-canary\.yam` +
          String.raw`l\.sigstore\.json\): `,
        'm',
      ),
    );
  });

  it('names the drifting field and the values when the ADR and the annotations disagree', async () => {
    const broken = copyExample();
    const adr = join(broken, 'docs/adr/0002-promotion-criteria.md');
    writeFileSync(adr, readFileSync(adr, 'utf8').replace('min-composite-score: 0.95', 'min-composite-score: 0.9'));
    const r = await preflight(broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^✗ promotion-criteria: drift in 1 field\(s\): min-composite-` +
          String.raw`score: ADR 0002 "0\.9", policy spec\.promotion\.minScore "0\.` +
          String.raw`95", rollouts\.yaml annotation adaptive-canary\.dev\/min-com` +
          String.raw`posite-score "0\.95"`,
        'm',
      ),
    );
  });

  it('fails the suite check when uptime is below 99.9%, with the numbers', async () => {
    const lowDb = join(copyExample(), 'low.db');
    writeHistory(lowDb, { now: Date.now(), days: 7, failures: 100 });
    const r = await runCli(
      [
        'preflight',
        '--policy',
        'canary.yaml',
        '--synthetics-db',
        lowDb,
        '--synthetics-url',
        suite.url,
        '--allow-unknown',
        'error-budget',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    // 100 failed intervals of 20,160 is 99.504%; the check runs a few seconds after the history was written, so
    // the window's newest interval may hold no run yet (one interval = 0.005%).
    expect(r.stdout).toMatch(/^✗ synthetic-suite: .*uptime 99\.(49\d|50\d)% over 7d .*required ≥ 99\.900%/m);
  });

  it('rejects an unknown --allow-unknown name as a usage error', async () => {
    expect((await runCli(['preflight', '--policy', 'canary.yaml', '--allow-unknown', 'nope'], { cwd: dir })).code).toBe(
      2,
    );
  });
});
