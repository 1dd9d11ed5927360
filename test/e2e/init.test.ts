import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canaryPolicy } from '../../src/schema/policy.js';
import { ADAPTIVE_CANARY_BIN as cli, runBuiltCli, type CliResult } from '../support/built-cli.js';
import { loadDocumentFile } from '../../src/read-input.js';

const root = join(import.meta.dirname, '..', '..');
const templateDir = join(root, 'examples', 'maestro-api');

const run = (args: string[], cwd: string): CliResult => runBuiltCli(args, { cwd, timeoutMs: 60_000 });

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const secretLike = /\.(sig|key|pub|pem)$|\.sigstore\.json$/;

describe('adaptive-canary init (built CLI)', () => {
  it('scaffolds the maestro-api layout renamed for the service, without keys or signatures', () => {
    expect(existsSync(cli), 'run `npm run build` first').toBe(true);
    const cwd = mkdtempSync(join(tmpdir(), 'init-e2e-'));
    const r = run(['init', '--service', 'payments-api'], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote canary.yaml');
    expect(r.stdout).toContain('wrote README.md');
    const dest = join(cwd, 'payments-api');

    const expected = files(templateDir)
      .filter((p) => !secretLike.test(p) && p !== 'README.md')
      .map((p) => p.replaceAll('maestro-api', 'payments-api').replaceAll('maestro_api', 'payments_api'));
    expect(files(dest)).toEqual([...expected, 'README.md'].sort());
    expect(files(dest).filter((p) => secretLike.test(p))).toEqual([]);
    // README.md names the example it came from on purpose; every template file must be fully renamed.
    for (const p of files(dest).filter((f) => f !== 'README.md')) {
      const text = readFileSync(join(dest, p), 'utf8');
      expect(text, p).not.toMatch(/maestro-api|maestro_api|MAESTRO_API|Maestro API/);
    }
    // Nothing of maestro-api's signer survives, and the manifests still parse.
    for (const p of files(dest))
      expect(readFileSync(join(dest, p), 'utf8'), p).not.toMatch(
        /BEGIN [A-Z ]*(KEY|CERTIFICATE)|^\s*cosign\.sigstore\.dev\/signature:/m,
      );
    for (const p of files(dest).filter((f) => /\.ya?ml$/.test(f))) {
      expect(
        parseAllDocuments(readFileSync(join(dest, p), 'utf8')).flatMap((d) => d.errors),
        p,
      ).toEqual([]);
    }
    // The policy is still a valid policy once renamed.
    expect(loadDocumentFile(join(dest, 'canary.yaml'), canaryPolicy).value).toBeTruthy();
    expect(readFileSync(join(dest, 'README.md'), 'utf8')).toContain('adaptive-canary keygen');
  });

  it('refuses to overwrite existing files without --force, and overwrites with it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'init-e2e-'));
    expect(run(['init', '--service', 'checkout', '--dir', 'deploy'], cwd).code).toBe(0);
    const policy = join(cwd, 'deploy', 'canary.yaml');
    const original = readFileSync(policy, 'utf8');
    writeFileSync(policy, '# edited by a person\n');

    const refused = run(['init', '--service', 'checkout', '--dir', 'deploy'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        String.raw`^error \[E_EXISTS\]: refusing to overwrite \d+ existing file` +
          String.raw`\(s\) in .*deploy: .*canary\.yaml.*\(use --force to overwrit` +
          String.raw`e\)\n$`,
      ),
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
    expect(readFileSync(policy, 'utf8')).toBe('# edited by a person\n');

    const forced = run(['init', '--service', 'checkout', '--dir', 'deploy', '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote canary.yaml');
    expect(readFileSync(policy, 'utf8')).toBe(original);
  });

  it("the README's first next step works: own key, re-render, sign, verify", () => {
    const cwd = mkdtempSync(join(tmpdir(), 'init-e2e-'));
    expect(run(['init', '--service', 'payments-api', '--dir', '.'], cwd).code).toBe(0);
    const step = (args: string[]) => {
      const r = runBuiltCli(args, { cwd, env: { COSIGN_PASSWORD: 'init-e2e-password' }, timeoutMs: 60_000 });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    step(['keygen', '--output-key-prefix', 'cosign']);
    step(['render', 'rollout', 'admission', '--policy', 'canary.yaml']);
    step(['sign', '--annotate', '--key', 'cosign.key', 'rollouts.yaml']);
    step(['sign', '--key', 'cosign.key', 'rollouts.yaml']);
    step(['verify', '--key', 'cosign.pub', '--signature', 'rollouts.yaml.sig', 'rollouts.yaml']);
    const ownKey = readFileSync(join(cwd, 'cosign.pub'), 'utf8').trim().split('\n')[1]!;
    expect(readFileSync(join(cwd, 'policy', 'kyverno-verify-rollout-manifests.yaml'), 'utf8')).toContain(ownKey);
  });

  it('rejects a service name that is not a DNS label with exit code 2', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'init-e2e-'));
    const r = run(['init', '--service', 'Payments_API'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [E_USAGE]: --service must be a lowercase DNS label');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
