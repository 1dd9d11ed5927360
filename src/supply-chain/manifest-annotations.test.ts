import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPublicKey } from './cosign-key-format.js';
import { annotateManifests, MESSAGE_ANNOTATION, verifyAnnotatedManifests } from './manifest-annotations.js';

// Verbatim upstream vectors from sigstore/k8s-manifest-sigstore (test/fixtures/k8s-manifest-sigstore/README.md).
const dir = join(import.meta.dirname, '../../test/fixtures/k8s-manifest-sigstore');
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
// testpub is the PEM itself base64-encoded (as upstream stores it for Secrets).
const testpub = readPublicKey(Buffer.from(read('testpub'), 'base64').toString('utf8'));

describe('k8s-manifest-sigstore vectors', () => {
  it('verifies the signed ConfigMap and Deployment manifests', () => {
    for (const f of ['sample-configmap-signed.yaml', 'sample-deployment-signed.yaml']) {
      const [r] = verifyAnnotatedManifests(read(f), testpub, { live: false });
      expect(r, f).toMatchObject({ verified: true });
    }
  });

  it('verifies the Deployment as the cluster returns it (status, managedFields, defaults)', () => {
    const [r] = verifyAnnotatedManifests(read('sample-deployment-signed-deployed.yaml'), testpub, { live: true });
    expect(r).toMatchObject({ resource: 'Deployment/sample-deployment', verified: true });
  });

  it('fails the mutated Deployment and names the changed field with both values', () => {
    const [r] = verifyAnnotatedManifests(read('sample-deployment-signed-mutating-1.yaml'), testpub, { live: true });
    expect(r!.verified).toBe(false);
    expect(r!.diffs).toContainEqual({
      path: 'spec.template.spec.containers[0].image',
      signed: 'nginx:1.14.2',
      actual: 'docker.io/nginx:1.14.2',
    });
    expect(r!.reason).toMatch(
      new RegExp(
        String.raw`differs from what was signed: spec\.template\.spec\.containe` +
          String.raw`rs\[0\]\.image: signed nginx:1\.14\.2, found docker\.io\/ngi` +
          String.raw`nx:1\.14\.2`,
      ),
    );
  });

  it('treats a deployed object as a manifest file strictly (extra fields fail without --live)', () => {
    const [r] = verifyAnnotatedManifests(read('sample-deployment-signed-deployed.yaml'), testpub, { live: false });
    expect(r!.verified).toBe(false);
  });

  it('reports an unsigned resource and a wrong key', () => {
    expect(verifyAnnotatedManifests(read('sample-configmap.yaml'), testpub, { live: false })[0]!.reason).toMatch(
      /not signed/,
    );
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expect(verifyAnnotatedManifests(read('sample-configmap-signed.yaml'), other, { live: false })[0]!.reason).toMatch(
      /invalid signature/,
    );
  });
});

describe('annotateManifests', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const manifest =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a # keep ' +
    'me\ndata: {k: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  ' +
    'name: b\n  annotations: {x: y}\ndata: {k: w}\n';

  it('signs every resource and verifies; re-signing replaces old annotations', () => {
    const signed = annotateManifests(manifest, privateKey);
    expect(signed).toContain('# keep me');
    const results = verifyAnnotatedManifests(signed, publicKey, { live: false });
    expect(results.map((r) => [r.resource, r.verified])).toEqual([
      ['ConfigMap/a', true],
      ['ConfigMap/b', true],
    ]);
    const again = annotateManifests(signed, privateKey);
    expect(verifyAnnotatedManifests(again, publicKey, { live: false }).every((r) => r.verified)).toBe(true);
    const msg = parse(again.split('---\n')[0]!).metadata.annotations[MESSAGE_ANNOTATION];
    expect(Buffer.from(msg, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('fails a field edited after signing; reformatting is harmless', () => {
    const signed = annotateManifests(manifest, privateKey);
    const edited = signed.replace('k: w', 'k: evil');
    const r = verifyAnnotatedManifests(edited, publicKey, { live: false });
    expect(r[1]).toMatchObject({ verified: false, diffs: [{ path: 'data.k', signed: 'w', actual: 'evil' }] });
    const reformatted = signed.replace('data: { k: v }', 'data:\n  k: "v"');
    expect(reformatted).not.toBe(signed);
    expect(verifyAnnotatedManifests(reformatted, publicKey, { live: false })[0]!.verified).toBe(true);
  });
});
