import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MESSAGE_ANNOTATION, unsignedManifests } from '../../src/supply-chain/manifest-annotations.js';
import { runCli } from '../support/supply-chain-cli.js';

/**
 * Every file `render all` writes for examples/maestro-api is committed as render produces it from canary.yaml
 * today. rollouts.yaml is committed signed (`sign --annotate` adds the k8s-manifest-sigstore annotations), so it
 * is compared as signing sees it — both sides without those annotations, serialized the way they are signed —
 * and the message embedded in its annotations must be that same fresh render (what Kyverno verifies).
 */
const EXAMPLE = join(import.meta.dirname, '../../examples/maestro-api');
const SIGNED = 'rollouts.yaml';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

/** The example's rendered files that differ from a fresh render of its canary.yaml, with why. */
async function staleFiles(exampleDir: string): Promise<{ rendered: string[]; stale: string[] }> {
  const out = mkdtempSync(join(tmpdir(), 'render-fresh-'));
  const r = await runCli(['render', 'all', '--policy', join(exampleDir, 'canary.yaml'), '--out', out], {
    cwd: exampleDir,
  });
  expect(r.code, r.stderr).toBe(0);
  const rendered = filesUnder(out);
  const stale: string[] = [];
  for (const path of rendered) {
    const fresh = readFileSync(join(out, path), 'utf8');
    let committed: string;
    try {
      committed = readFileSync(join(exampleDir, path), 'utf8');
    } catch {
      stale.push(`${path}: not committed`);
      continue;
    }
    if (path !== SIGNED) {
      if (committed !== fresh) stale.push(`${path}: differs`);
      continue;
    }
    const want = unsignedManifests(fresh);
    if (unsignedManifests(committed) !== want) stale.push(`${path}: differs (signature annotations aside)`);
    const messages = parseAllDocuments(committed).map(
      (d) => d.getIn(['metadata', 'annotations', MESSAGE_ANNOTATION]) as string | undefined,
    );
    if (messages.some((m) => m === undefined || gunzipSync(Buffer.from(m, 'base64')).toString('utf8') !== want)) {
      stale.push(`${path}: its signed message is not the current render (re-run sign --annotate)`);
    }
  }
  return { rendered, stale };
}

describe('examples/maestro-api is rendered from its canary.yaml', () => {
  it('every rendered file is committed as render writes it now', async () => {
    const { rendered, stale } = await staleFiles(EXAMPLE);
    expect(rendered).toEqual([
      'alertmanager/canary-routes.yaml',
      'dashboard/grafana/canary-release-overview.json',
      'policy/kyverno-verify-rollout-manifests.yaml',
      'policy/vap-require-signed-rollouts.yaml',
      'prometheus/canary-rules.test.yaml',
      'prometheus/canary-rules.yaml',
      'rollouts.yaml',
    ]);
    expect(stale, 're-render (and re-sign) per examples/maestro-api/README.md').toEqual([]);
  });

  it('the check notices a policy change in plain files and in the signed rollouts.yaml', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'render-stale-'));
    cpSync(EXAMPLE, copy, { recursive: true });
    const policy = join(copy, 'canary.yaml');
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8')
        .replace('sreOncall: https://hooks.example.com/', 'sreOncall: https://pager.example.com/')
        .replace('{weight: 50, bake: 10m}', '{weight: 50, bake: 15m}'),
    );
    const { stale } = await staleFiles(copy);
    expect(stale).toContain('alertmanager/canary-routes.yaml: differs');
    expect(stale).toContain('rollouts.yaml: differs (signature annotations aside)');
    expect(stale).toContain('rollouts.yaml: its signed message is not the current render (re-run sign --annotate)');
  });
});
