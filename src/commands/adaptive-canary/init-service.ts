import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { AppError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { nextStepsReadme } from './init-readme.js';

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
    throw new UsageError(`--service must be a lowercase DNS label like "payments-api" (letters, digits, single dashes), got "${service}"`);
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
const excluded = [/\.sig$/, /\.sigstore\.json$/, /\.(key|pub|pem|crt|p12)$/, /(^|\/)\.(evidence|prbodies)\//, /(^|\/)node_modules\//, /\.db(-wal|-shm)?$/];

export function isExcluded(rel: string): boolean {
  return excluded.some((re) => re.test(rel.split(sep).join('/')));
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
export function planScaffold(templateDir: string, names: ServiceNames): { files: ScaffoldFile[]; left: string[] } {
  if (!existsSync(join(templateDir, 'canary.yaml'))) {
    throw new AppError('E_TEMPLATE', `the paved-road template is missing or incomplete: ${templateDir} has no canary.yaml`, ExitCode.failed);
  }
  const all = walk(templateDir).sort();
  const left = all.filter(isExcluded);
  const files = all
    .filter((rel) => !isExcluded(rel) && rel !== 'README.md')
    .map((rel) => {
      const raw = readFileSync(join(templateDir, rel));
      const content = raw.includes(0) ? raw : Buffer.from(substitute(raw.toString('utf8'), names));
      return { path: substitute(rel, names), content };
    });
  files.push({ path: 'README.md', content: Buffer.from(nextStepsReadme(names, files.map((f) => f.path), left)) });
  return { files, left };
}

export interface ScaffoldResult {
  written: string[];
  overwritten: string[];
  left: string[];
}

/** Writes the plan, refusing to touch any existing file unless `force`; checks everything before writing anything. */
export function scaffold(opts: { templateDir: string; destDir: string; service: string; force: boolean }): ScaffoldResult {
  const { files, left } = planScaffold(opts.templateDir, serviceNames(opts.service));
  const existing = files.map((f) => f.path).filter((p) => existsSync(join(opts.destDir, p)));
  if (existing.length > 0 && !opts.force) {
    const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? `, and ${existing.length - 5} more` : '');
    throw new AppError('E_EXISTS', `refusing to overwrite ${existing.length} existing file(s) in ${opts.destDir}: ${shown} (use --force to overwrite)`, ExitCode.usage);
  }
  for (const f of files) {
    const dest = join(opts.destDir, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, f.content);
  }
  return { written: files.map((f) => f.path), overwritten: existing, left };
}
