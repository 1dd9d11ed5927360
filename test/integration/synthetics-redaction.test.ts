import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretForms } from '../../src/redaction/redact.js';
import { openHistory } from '../../src/synthetics/history.js';
import { probeExposition } from '../../src/synthetics/metrics.js';
import { prepareSuite } from '../../src/synthetics/prepare-suite.js';
import { renderReport } from '../../src/synthetics/reporters/index.js';
import { runSuite } from '../../src/synthetics/run-flow.js';
import { listen, suiteOf } from './synthetics-helpers.js';

/** Characters that every encoding changes: space, &, +, quote, slash, =, non-ASCII. */
const PASSWORD = 's3cr&t p@ss+wörd"/=';

let target: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  // Echoes the whole request back (URL, headers, body), as a careless or hostile endpoint would.
  target = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const echo = JSON.stringify({ url: req.url, headers: req.headers, body });
      res.writeHead(500, { 'content-type': 'application/json', 'x-echo': encodeURIComponent(echo) }).end(echo);
    });
  });
});
afterAll(() => target.close());

describe('a probe secret never appears in any form the request carried it', () => {
  it(
    'raw, URL-encoded (%20 and +), JSON-escaped or inside a longer header: ' + 'not in reports, history or metrics',
    async () => {
      const spec = {
        interval: '10s',
        timeout: '2s',
        variables: { password: '${env:PROBE_PASSWORD}' },
        flows: [
          {
            name: 'f',
            steps: [
              {
                name: 'login',
                request: {
                  method: 'POST',
                  path: '/login',
                  query: { p: '${password}' },
                  headers: { 'x-auth': 'Token id=7;pw=${password};v=2' },
                  json: { user: 'bot', password: '${password}' },
                },
                // Fails, so the reports show the body the target echoed.
                assert: [{ status: 200 }, { body: { contains: 'never' } }],
              },
            ],
          },
        ],
      };
      const prepared = prepareSuite(suiteOf(spec), { baseUrl: target.url, env: { PROBE_PASSWORD: PASSWORD } });
      const suite = await runSuite(prepared);
      const flow = suite.flows[0]!;
      expect(flow.status).toBe('failed');
      const dbFile = join(mkdtempSync(join(tmpdir(), 'redact-')), 'history.db');
      const history = openHistory(dbFile);
      history.record(flow);
      history.close();
      const outputs: Record<string, string> = {
        list: renderReport('list', suite),
        json: renderReport('json', suite),
        junit: renderReport('junit', suite),
        metrics: (await probeExposition(flow)).text,
        history: readFileSync(dbFile).toString('latin1') + readFileSync(dbFile).toString('utf8'),
      };
      // The echo reached the reports (the test would prove nothing otherwise)...
      expect(outputs.json).toMatch(/\/login\?p=\*\*\*/);
      const forms = secretForms(PASSWORD);
      expect(forms).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD)]));
      expect(forms).toContain(encodeURIComponent(PASSWORD).replace(/%20/g, '+'));
      for (const [name, text] of Object.entries(outputs)) {
        for (const form of forms) expect(text.includes(form), `${name} contains ${form}`).toBe(false);
      }
    },
  );
});
