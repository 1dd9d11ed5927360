import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ensureDebianPackages,
  missingPackages,
  notInstalledMessage,
  PREREQUISITES,
  which,
} from '../../scripts/test-prerequisites.js';
import { installedBinary } from '../support/binaries.js';
import { startPrometheus } from '../support/prometheus-process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const NPM_CLI = join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');

// The system's copies first: the non-root user below cannot reach shims under root's home (pyenv's python3).
const installed = (binary: string): string => which(binary, '/usr/local/bin:/usr/bin:/bin') ?? which(binary)!;

/** A PATH directory holding node, sh and every prerequisite binary except those of `withoutPkg`. */
function pathWithout(withoutPkg: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ac-prereq-path-'));
  chmodSync(dir, 0o755);
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync(installed('sh'), join(dir, 'sh'));
  for (const p of PREREQUISITES.filter((p) => p.pkg !== withoutPkg))
    symlinkSync(installed(p.binary), join(dir, p.binary));
  return dir;
}

// The machine check behind `npm test`'s pretest; the install path itself (root, apt-get) is exercised by
// running `npm run test:prerequisites` after `apt-get remove`, which a test must not do to the machine.
describe('test prerequisites', () => {
  it('lists each package once, and only the ones whose binaries are missing', () => {
    const absent = new Set(['promtool', 'prometheus', 'runc']);
    expect(missingPackages((b) => (absent.has(b) ? undefined : `/usr/bin/${b}`))).toEqual(['prometheus', 'runc']);
    expect(missingPackages(() => '/bin/x')).toEqual([]);
    expect(PREREQUISITES.map((p) => p.binary)).toEqual(expect.arrayContaining(['podman', 'runc', 'debootstrap']));
  });

  it('without root it fails at once, naming the one command that installs everything missing', () => {
    const lines: string[] = [];
    const run = (): void =>
      ensureDebianPackages(
        (l) => lines.push(l),
        (b) => (b === 'chromium' || b === 'amtool' ? undefined : b),
        false,
      );
    expect(run).toThrow(
      'the tests need Debian packages that are not installed: prometheus-alertmanager, chromium. ' +
        'Run: sudo apt-get install -y --no-install-recommends prometheus-alertmanager chromium',
    );
    expect(lines).toEqual([]);
  });

  it('`npm test` as a non-root user with chromium off PATH stops in pretest with one line naming the command', () => {
    const path = pathWithout('chromium');
    const home = mkdtempSync(join(tmpdir(), 'ac-prereq-home-'));
    chmodSync(home, 0o777);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const started = Date.now();
    const r = spawnSync(process.execPath, [NPM_CLI, 'test', '--no-update-notifier'], {
      cwd: ROOT,
      env: { PATH: path, HOME: home },
      encoding: 'utf8',
      timeout: 60_000,
      ...asNobody,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(1);
    const lines = out.split('\n').filter((l) => l.startsWith('test prerequisites:'));
    expect(lines).toEqual([
      'test prerequisites: the tests need Debian packages that are not installed: chromium. ' +
        'Run: sudo apt-get install -y --no-install-recommends chromium',
    ]);
    // At once: lint, typecheck, build and vitest never started.
    expect(out).toContain('> tsx scripts/test-prerequisites.ts');
    expect(out).not.toMatch(/eslint|> npm run lint|vitest/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a missing binary reads as not installed, never as a crash', async () => {
    expect(() => installedBinary('definitely-not-a-binary')).toThrow('definitely-not-a-binary is not installed');
    expect(notInstalledMessage('prometheus-blackbox-exporter')).toBe(
      'prometheus-blackbox-exporter is not installed (apt-get install prometheus-blackbox-exporter)',
    );
    // Prometheus off PATH: the helper says so before spawning anything.
    const saved = process.env.PATH;
    process.env.PATH = pathWithout('prometheus');
    try {
      await expect(startPrometheus([])).rejects.toThrow('prometheus is not installed (apt-get install prometheus)');
    } finally {
      process.env.PATH = saved;
    }
    // A binary that vanished between the check and the spawn (ENOENT from spawn itself).
    await expect(startPrometheus([], { binary: '/nonexistent/prometheus' })).rejects.toThrow(
      'prometheus is not installed (apt-get install prometheus)',
    );
  });
});
