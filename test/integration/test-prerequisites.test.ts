import { describe, expect, it } from 'vitest';
import {
  ensureDebianPackages,
  missingPackages,
  notInstalledMessage,
  PREREQUISITES,
} from '../../scripts/test-prerequisites.js';
import { installedBinary } from '../support/binaries.js';
import { startPrometheus } from '../support/prometheus-process.js';

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

  it('a missing binary reads as not installed, never as a crash', async () => {
    expect(() => installedBinary('definitely-not-a-binary')).toThrow('definitely-not-a-binary is not installed');
    expect(notInstalledMessage('prometheus-blackbox-exporter')).toBe(
      'prometheus-blackbox-exporter is not installed (apt-get install prometheus-blackbox-exporter)',
    );
    // A binary that vanished between the check and the spawn (ENOENT from spawn itself).
    await expect(startPrometheus([], { binary: '/nonexistent/prometheus' })).rejects.toThrow(
      'prometheus is not installed (apt-get install prometheus)',
    );
  });
});
