import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isExcluded, keyPlaceholder, redactSigner, scaffold, serviceNames, substitute } from './init-service.js';

function template(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'init-template-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('service names', () => {
  it('derives every spelling the template uses', () => {
    expect(serviceNames('payments-api')).toEqual({
      kebab: 'payments-api',
      snake: 'payments_api',
      upperSnake: 'PAYMENTS_API',
      title: 'Payments API',
      pascal: 'PaymentsApi',
      camel: 'paymentsApi',
    });
    expect(serviceNames('checkout').title).toBe('Checkout');
  });

  it('rejects names that are not DNS labels', () => {
    for (const bad of ['Payments', 'pay_ments', '-x', 'x-', 'a--b', '', 'x'.repeat(64)]) {
      expect(() => serviceNames(bad), bad).toThrow(/DNS label/);
    }
  });

  it('substitutes all forms in one pass, even when the new name contains the old one', () => {
    const text =
      'maestro-api maestro_api_rollback_duration_seconds MAESTRO_API_URL "Maestro API" MaestroApi maestroApi';
    expect(substitute(text, serviceNames('payments-api'))).toBe(
      'payments-api payments_api_rollback_duration_seconds PAYMENTS_API_URL "Payments API" PaymentsApi paymentsApi',
    );
    expect(substitute('maestro-api', serviceNames('maestro-api-v2'))).toBe('maestro-api-v2');
  });
});

describe('scaffold', () => {
  const files = {
    'canary.yaml': 'service: maestro-api\n',
    'rollouts.yaml':
      'metadata:\n  annotations:\n    a: b\n    cosign.sigstore.dev/message: ' +
      'H4sI\n    cosign.sigstore.dev/signature: MEUC\n  name: maestro-api\n',
    'policy/kyverno.yaml': 'publicKeys: |\n  -----BEGIN PUBLIC KEY-----\n  MFkw\n  -----END PUBLIC KEY-----\nnext: 1\n',
    'rollouts.yaml.sig': 'MEUCIQ...',
    'rollouts.yaml.sigstore.json': '{}',
    'cosign.pub': '-----BEGIN PUBLIC KEY-----',
    'synthetics/maestro-api-canary.yaml': 'metadata: {name: maestro-api-canary}\n',
    'prometheus/canary-rules.yaml': 'expr: histogram_quantile(0.5, maestro_api_rollback_duration_seconds_bucket)\n',
    '.github/workflows/canary.yaml': 'run: syntheticsctl validate synthetics/maestro-api-canary.yaml\n',
  };

  it('copies the template renamed, without signatures or keys, plus a README of next steps', () => {
    const dest = mkdtempSync(join(tmpdir(), 'init-dest-'));
    const result = scaffold({ templateDir: template(files), destDir: dest, service: 'payments-api', force: false });
    expect(result.written.sort()).toEqual(
      [
        '.github/workflows/canary.yaml',
        'README.md',
        'canary.yaml',
        'policy/kyverno.yaml',
        'prometheus/canary-rules.yaml',
        'rollouts.yaml',
        'synthetics/payments-api-canary.yaml',
      ].sort(),
    );
    expect(result.redacted.sort()).toEqual(['policy/kyverno.yaml', 'rollouts.yaml']);
    expect(readFileSync(join(dest, 'rollouts.yaml'), 'utf8')).toBe(
      'metadata:\n  annotations:\n    a: b\n  name: payments-api\n',
    );
    expect(readFileSync(join(dest, 'policy/kyverno.yaml'), 'utf8')).toBe(
      `publicKeys: |\n  ${keyPlaceholder}\nnext: 1\n`,
    );
    expect(result.left.sort()).toEqual(['cosign.pub', 'rollouts.yaml.sig', 'rollouts.yaml.sigstore.json']);
    expect(readFileSync(join(dest, 'prometheus/canary-rules.yaml'), 'utf8')).toContain(
      'payments_api_rollback_duration_seconds_bucket',
    );
    expect(readFileSync(join(dest, '.github/workflows/canary.yaml'), 'utf8')).toContain(
      'synthetics/payments-api-canary.yaml',
    );
    const readme = readFileSync(join(dest, 'README.md'), 'utf8');
    expect(readme).toContain('Keys and signatures were *not* copied');
    expect(readme).toContain('adaptive-canary sign --key cosign.key synthetics/payments-api-canary.yaml');
    expect(existsSync(join(dest, 'rollouts.yaml.sig'))).toBe(false);
  });

  it('refuses to overwrite anything unless forced, and writes nothing when it refuses', () => {
    const tpl = template(files);
    const dest = mkdtempSync(join(tmpdir(), 'init-dest-'));
    writeFileSync(join(dest, 'canary.yaml'), 'mine\n');
    expect(() => scaffold({ templateDir: tpl, destDir: dest, service: 'payments-api', force: false })).toThrow(
      /refusing to overwrite 1 existing file\(s\).*canary\.yaml.*--force/,
    );
    expect(existsSync(join(dest, 'rollouts.yaml'))).toBe(false);
    expect(readFileSync(join(dest, 'canary.yaml'), 'utf8')).toBe('mine\n');
    const forced = scaffold({ templateDir: tpl, destDir: dest, service: 'payments-api', force: true });
    expect(forced.overwritten).toEqual(['canary.yaml']);
    expect(readFileSync(join(dest, 'canary.yaml'), 'utf8')).toBe('service: payments-api\n');
  });

  it('explains a missing template', () => {
    expect(() => scaffold({ templateDir: template({}), destDir: tmpdir(), service: 'x', force: false })).toThrow(
      /no canary\.yaml/,
    );
  });

  it('removes embedded signature annotations and PEM blocks, and says so', () => {
    expect(redactSigner('a: 1\n')).toEqual({ text: 'a: 1\n', changed: false });
    const pem = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----';
    expect(redactSigner(`x: ${pem}`)).toEqual({ text: `x: ${keyPlaceholder}`, changed: true });
    expect(redactSigner('  cosign.sigstore.dev/signature: abc').text).toBe('');
  });

  it('excludes keys, signatures and local state', () => {
    expect(
      ['a.key', 'cosign.pub', 'x.sig', 'rollouts.yaml.sigstore.json', '.evidence/a/b.jsonl', 'state.db-wal'].every(
        isExcluded,
      ),
    ).toBe(true);
    expect(['canary.yaml', 'policy/verify-images.yaml', 'keys.md'].some(isExcluded)).toBe(false);
  });
});
