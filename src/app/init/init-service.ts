import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { AppError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import { nextStepsReadme } from './init-readme.js';
import { readLimitedFile } from '../../read-input.js';

/** The spellings of a service name that appear in the template, each mapped from the maestro-api original. */
export interface ServiceNames {
  kebab: string; // maestro-api: file names, Kubernetes names, labels
  snake: string; // maestro_api: Prometheus metric names
  upperSnake: string; // MAESTRO_API: environment variables
  title: string; // Maestro API: prose and dashboard titles
  pascal: string; // MaestroApi
  camel: string; // maestroApi
}

const acronyms = new Set(['api', 'db', 'ui', 'id', 'http', 'grpc', 'sso', 'auth', 'io', 'sql', 'dns', 'cdn', 'sdk']);

export function serviceNames(service: string): ServiceNames {
  // A Kubernetes name (DNS-1123 label) that also makes a valid Prometheus metric prefix once dashes become _.
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(service) || service.includes('--')) {
    throw new UsageError(
      `--service must be a lowercase DNS label like "payments-api" (letters, digits, single dashes), got "${service}"`,
    );
  }
  const words = service.split('-');
  const cap = (w: string): string => w[0]!.toUpperCase() + w.slice(1);
  return {
    kebab: service,
    snake: words.join('_'),
    upperSnake: words.join('_').toUpperCase(),
    title: words.map((w) => (acronyms.has(w) ? w.toUpperCase() : cap(w))).join(' '),
    pascal: words.map(cap).join(''),
    camel: words[0]! + words.slice(1).map(cap).join(''),
  };
}

const template = serviceNames('maestro-api');

/** Rewrites every spelling of maestro-api in one pass, so a new name containing "maestro" is never rewritten twice. */
export function substitute(text: string, names: ServiceNames): string {
  const pairs = (Object.keys(template) as (keyof ServiceNames)[]).map((k) => [template[k], names[k]] as const);
  const lookup = new Map(pairs);
  const pattern = new RegExp([...lookup.keys()].sort((a, b) => b.length - a.length).join('|'), 'g');
  return text.replace(pattern, (m) => lookup.get(m) ?? m);
}

/**
 * Signatures and keys are not copied: a signature over maestro-api's manifest is wrong for the renamed one, and a
 * key pair belongs to one signer. History and local state are the example's own.
 */
const excluded = [
  /\.sig$/,
  /\.sigstore\.json$/,
  /\.(key|pub|pem|crt|p12)$/,
  /(^|\/)\.(evidence|prbodies)\//,
  /(^|\/)node_modules\//,
  /\.db(-wal|-shm)?$/,
];

export function isExcluded(rel: string): boolean {
  return excluded.some((re) => re.test(rel.split(sep).join('/')));
}

/** Signature annotations (k8s-manifest-sigstore) sign maestro-api's bytes: wrong once renamed, so dropped. */
const signatureAnnotation = /^[ \t]*cosign\.sigstore\.dev\/(message|signature|certificate|bundle)[ \t]*:.*(\r?\n|$)/gm;
/** An embedded key or certificate (e.g. the Kyverno attestor) would trust maestro-api's signer: fail closed instead. */
const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
export const keyPlaceholder =
  'REPLACE-ME: your cosign.pub (adaptive-canary keygen, then adaptive-canary render admission)';

/** Removes what belongs to maestro-api's signer from a text file; `changed` says whether anything was removed. */
export function redactSigner(text: string): { text: string; changed: boolean } {
  const out = text.replace(signatureAnnotation, '').replace(pemBlock, keyPlaceholder);
  return { text: out, changed: out !== text };
}

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), root) : e.isFile() ? [relative(root, join(dir, e.name))] : [],
  );
}

export interface ScaffoldFile {
  path: string;
  content: Buffer;
}

/** The files init writes, relative to the destination: the template renamed, plus the README of next steps. */
export function planScaffold(
  templateDir: string,
  names: ServiceNames,
): { files: ScaffoldFile[]; left: string[]; redacted: string[] } {
  if (!existsSync(join(templateDir, 'canary.yaml'))) {
    throw new AppError(
      'E_TEMPLATE',
      `the paved-road template is missing or incomplete: ${templateDir} has no canary.yaml`,
      ExitCode.failed,
    );
  }
  const all = walk(templateDir).sort();
  const left = all.filter(isExcluded);
  const redacted: string[] = [];
  const files = all
    .filter((rel) => !isExcluded(rel) && rel !== 'README.md')
    .map((rel) => {
      const raw = readLimitedFile(join(templateDir, rel), INPUT_LIMITS.document);
      const path = substitute(rel, names);
      if (raw.includes(0)) return { path, content: raw };
      const clean = redactSigner(raw.toString('utf8'));
      if (clean.changed) redacted.push(path);
      return { path, content: Buffer.from(substitute(clean.text, names)) };
    });
  const readme = nextStepsReadme(names, { written: files.map((f) => f.path), left, redacted });
  files.push({ path: 'README.md', content: Buffer.from(readme) });
  return { files, left, redacted };
}

export interface ScaffoldResult {
  written: string[];
  overwritten: string[];
  /** Template files not copied (keys, signatures). */
  left: string[];
  /** Files whose embedded signatures or keys were removed. */
  redacted: string[];
}

/** Writes the plan, refusing to touch any existing file unless `force`; checks everything before writing anything. */
export function scaffold(opts: {
  templateDir: string;
  destDir: string;
  service: string;
  force: boolean;
}): ScaffoldResult {
  const { files, left, redacted } = planScaffold(opts.templateDir, serviceNames(opts.service));
  const existing = files.map((f) => f.path).filter((p) => existsSync(join(opts.destDir, p)));
  if (existing.length > 0 && !opts.force) {
    const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? `, and ${existing.length - 5} more` : '');
    throw new AppError(
      'E_EXISTS',
      `refusing to overwrite ${existing.length} existing file(s) in ${opts.destDir}` +
        `: ${shown} (use --force to overwrite)`,
      ExitCode.usage,
    );
  }
  for (const f of files) {
    const dest = join(opts.destDir, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, f.content);
  }
  return { written: files.map((f) => f.path), overwritten: existing, left, redacted };
}
