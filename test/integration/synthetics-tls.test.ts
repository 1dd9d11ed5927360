import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSuite } from '../../src/synthetics/prepare-suite.js';
import { runFlow } from '../../src/synthetics/run-flow.js';
import { installedBinary } from '../support/binaries.js';
import { oneStep, suiteOf } from './synthetics-helpers.js';

// Node cannot create X.509 certificates, so the test makes them with the openssl CLI (Debian ships it).
const dir = mkdtempSync(join(tmpdir(), 'synthetics-tls-'));
const openssl = (...args: string[]): void =>
  void execFileSync(installedBinary('openssl'), args, { cwd: dir, stdio: 'pipe' });
const servers: https.Server[] = [];

function makeCerts(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'valid.key',
    '-out',
    'valid.pem',
    '-days',
    '30',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  // OpenSSL 3.0 `req` cannot back-date; `ca -selfsign` can.
  openssl(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'expired.key',
    '-out',
    'expired.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n' +
      '[p]\ncommonName=supplied\n[x]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  openssl(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-selfsign',
    '-keyfile',
    'expired.key',
    '-in',
    'expired.csr',
    '-out',
    'expired.pem',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
    '-extensions',
    'x',
  );
}

async function serve(name: string): Promise<string> {
  const server = https.createServer(
    { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) },
    (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let validUrl = '';
let expiredUrl = '';
beforeAll(async () => {
  makeCerts();
  validUrl = await serve('valid');
  expiredUrl = await serve('expired');
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (spec: Record<string, unknown>, baseUrl: string) =>
  runFlow(prepareSuite(suiteOf(spec), { baseUrl, env: {}, baseDir: dir }), 'f');

describe('synthetics runner against loopback HTTPS', () => {
  it('rejects a self-signed certificate by default with a clear TLS error', async () => {
    const r = await run(oneStep({ path: '/' }), validUrl);
    expect(r.status).toBe('failed');
    expect(r.steps[0]!.error?.kind).toBe('tls');
    expect(r.steps[0]!.error?.message).toMatch(/self[- ]signed/i);
  });

  it('trusts it through tls.caFile, times the handshake and checks days of validity', async () => {
    const ok = await run(
      oneStep({ path: '/' }, [{ status: 200 }, { tls: { minDaysValid: 14 } }], { tls: { caFile: 'valid.pem' } }),
      validUrl,
    );
    expect(ok.status).toBe('passed');
    expect(ok.steps[0]!.timings.tls).toBeGreaterThan(0);
    expect(ok.steps[0]!.tls?.authorized).toBe(true);
    const tooShort = await run(
      oneStep({ path: '/' }, [{ tls: { minDaysValid: 60 } }], { tls: { caFile: 'valid.pem' } }),
      validUrl,
    );
    expect(tooShort.status).toBe('failed');
    expect(tooShort.steps[0]!.assertions[0]!.actual).toMatch(/^(29|30) days/);
  });

  it('fails an expired certificate: a TLS error, or the tls assertion when verification is skipped', async () => {
    const strict = await run(oneStep({ path: '/' }), expiredUrl);
    expect(strict.steps[0]!.error?.kind).toBe('tls');
    expect(strict.steps[0]!.error?.message).toMatch(/expired|self[- ]signed/i);
    const lax = await run(
      oneStep({ path: '/' }, [{ status: 200 }, { tls: { minDaysValid: 1 } }], { tls: { insecureSkipVerify: true } }),
      expiredUrl,
    );
    expect(lax.status).toBe('failed');
    expect(lax.steps[0]!.httpStatus).toBe(200);
    expect(lax.steps[0]!.assertions[1]).toMatchObject({ kind: 'tls', passed: false });
    expect(lax.steps[0]!.tls?.daysValid).toBeLessThan(0);
  });
});
