// What `npm test` needs from the machine besides node_modules, in one list used by `npm test` (pretest), the
// integration and e2e projects (vitest globalSetup), `.ci/run` and the test helpers' "not installed" errors.
// Run directly (`npx tsx scripts/test-prerequisites.ts`): as root with apt-get it installs what is missing in one
// `apt-get install`; otherwise it fails at once with one message naming the command to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Prerequisite {
  /** Executable name as the tests call it. */
  binary: string;
  /** The Debian package that ships it. */
  pkg: string;
  why: string;
}

export const PREREQUISITES: readonly Prerequisite[] = [
  { binary: 'prometheus', pkg: 'prometheus', why: 'integration tests query a real Prometheus' },
  { binary: 'promtool', pkg: 'prometheus', why: 'rendered rules are checked and unit-tested with promtool' },
  { binary: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager', why: 'silence and alert tests' },
  { binary: 'amtool', pkg: 'prometheus-alertmanager', why: 'rendered routes are checked with amtool' },
  {
    binary: 'prometheus-blackbox-exporter',
    pkg: 'prometheus-blackbox-exporter',
    why: 'the synthetics benchmark and its compatibility anchor',
  },
  { binary: 'chromium', pkg: 'chromium', why: 'the dashboard tests drive Debian chromium (playwright-core)' },
  { binary: 'openssl', pkg: 'openssl', why: 'TLS probe tests make self-signed and expired certificates' },
  { binary: 'python3', pkg: 'python3', why: 'the JUnit e2e test parses XML with ElementTree' },
  { binary: 'dpkg-deb', pkg: 'dpkg', why: "scripts/get-cosign.sh unpacks Debian's cosign for the interop test" },
  { binary: 'script', pkg: 'bsdutils', why: 'the demo e2e test runs the CLI under a pseudo-terminal' },
  { binary: 'podman', pkg: 'podman', why: 'the image-build test builds and runs the container image' },
  { binary: 'runc', pkg: 'runc', why: 'the OCI runtime podman runs the image with' },
  { binary: 'debootstrap', pkg: 'debootstrap', why: 'the image-build test bootstraps its Debian base' },
];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// runc and debootstrap live in sbin, which a non-root PATH often lacks.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable on PATH (or in sbin), undefined when absent. */
export function which(binary: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const file = join(dir, binary);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The command that installs `pkgs`, as a person types it. */
export function installCommand(pkgs: readonly string[]): string {
  return `sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/** The error a test helper raises when a binary it spawns is missing: never reported as a crash. */
export function notInstalledMessage(binary: string): string {
  const pkg = PREREQUISITES.find((p) => p.binary === binary)?.pkg;
  return `${binary} is not installed (${pkg ? `apt-get install ${pkg}` : 'see scripts/test-prerequisites.ts'})`;
}

/** The Debian packages missing on this machine, each once, in list order. */
export function missingPackages(find: (binary: string) => string | undefined = (b) => which(b)): string[] {
  return [...new Set(PREREQUISITES.filter((p) => !find(p.binary)).map((p) => p.pkg))];
}

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(cmd, args, { stdio: 'inherit', env }).status === 0;
}

/** Installs what is missing when root with apt-get can; otherwise throws one message naming the command. */
export function ensureDebianPackages(
  log: (line: string) => void,
  find: (binary: string) => string | undefined = (b) => which(b),
  isRoot = process.getuid?.() === 0,
): void {
  const missing = missingPackages(find);
  if (missing.length === 0) return;
  const canInstall = isRoot && which('apt-get') !== undefined;
  if (!canInstall) {
    throw new PrerequisiteError(
      `the tests need Debian packages that are not installed: ${missing.join(', ')}. Run: ${installCommand(missing)}`,
    );
  }
  log(`test prerequisites: installing Debian packages ${missing.join(' ')} (apt-get, running as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Several test runs may start at once: wait for apt's lock instead of failing on it.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const ok =
    run('apt-get', [...lock, 'update', '-qq'], env) &&
    run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', ...missing], env);
  const still = missingPackages(find);
  if (!ok || still.length > 0) {
    throw new PrerequisiteError(`apt-get could not install ${(still.length ? still : missing).join(', ')}; see above`);
  }
}

/** Debian's cosign for the interop test, fetched (never installed) by scripts/get-cosign.sh; returns its path. */
export function ensureCosign(): string {
  const r = spawnSync(join(ROOT, 'scripts/get-cosign.sh'), { cwd: ROOT, encoding: 'utf8' });
  const path = r.stdout?.trim().split('\n').at(-1);
  if (r.status !== 0 || !path) {
    throw new PrerequisiteError(
      `could not fetch cosign for the interop test (${(r.stderr || String(r.error ?? '')).trim()}). ` +
        'Run: scripts/get-cosign.sh',
    );
  }
  return path;
}

/** Everything the integration and e2e tests need from the machine, or a PrerequisiteError. */
export function ensureTestPrerequisites(log: (line: string) => void = (l) => console.error(l)): void {
  ensureDebianPackages(log);
  ensureCosign();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureTestPrerequisites();
  } catch (err) {
    if (!(err instanceof PrerequisiteError)) throw err;
    console.error(`test prerequisites: ${err.message}`);
    process.exit(1);
  }
}
