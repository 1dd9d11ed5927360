import type { KeyObject } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isMap, parseAllDocuments, stringify, type Document } from 'yaml';
import { signBlob, SignatureError, verifyBlobSignature } from './blob-signature.js';
import { diffFields, type FieldDiff, type Json } from './manifest-diff.js';
import { readTar } from './tar.js';

/**
 * k8s-manifest-sigstore's annotation signatures (pkg/k8smanifest/sign.go, pkg/cosign/{sign,verify}.go), so
 * Kyverno's `validate.manifests` verifies what we sign:
 * - message   = base64(gzip(M)), M the signed bytes (plain YAML here, as `--tarball no`; upstream's default
 *               puts a tar.gz in M, which we also read);
 * - signature = base64(DER ECDSA over SHA-256(M)), cosign's blob signature of the *uncompressed* M.
 * Both go on every resource. Verification compares fields, not bytes.
 */
export const MESSAGE_ANNOTATION = 'cosign.sigstore.dev/message';
export const SIGNATURE_ANNOTATION = 'cosign.sigstore.dev/signature';
const OWN_ANNOTATIONS = [
  MESSAGE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  'cosign.sigstore.dev/certificate',
  'cosign.sigstore.dev/bundle',
  'cosign.sigstore.dev/resourceBundleRef',
];

function parseDocs(text: string, what: string): Document[] {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length === 0) throw new SignatureError(`${what}: no YAML documents`);
  for (const d of docs) {
    // We join documents ourselves; a kept `---` marker would add an empty document.
    if (d.directives) d.directives.docStart = null;
    if (d.errors.length > 0) throw new SignatureError(`${what}: YAML syntax: ${d.errors[0]!.message.split('\n')[0]}`);
  }
  return docs;
}

function stripOwnAnnotations(doc: Document): void {
  const annotations = doc.getIn(['metadata', 'annotations']);
  if (!isMap(annotations)) return;
  for (const key of OWN_ANNOTATIONS) annotations.delete(key);
  if (annotations.items.length === 0) doc.deleteIn(['metadata', 'annotations']);
}

/**
 * The manifests as `annotateManifests` signs them: every document without our own annotations, serialized the
 * same way. Equal for a rendered file and its annotated copy, so a signed file can be compared with a fresh render.
 */
export function unsignedManifests(text: string): string {
  return serialize(strippedDocs(text));
}

function strippedDocs(text: string): Document[] {
  const docs = parseDocs(text, 'manifest');
  docs.forEach(stripOwnAnnotations);
  return docs;
}

const serialize = (docs: Document[]): string => docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');

/** Sign every resource in `text`; returns the annotated YAML (comments and order kept). */
export function annotateManifests(text: string, key: KeyObject): string {
  const docs = strippedDocs(text);
  const message = Buffer.from(serialize(docs), 'utf8');
  const signature = signBlob(message, key).toString('base64');
  const gz = gzipSync(message).toString('base64');
  for (const d of docs) {
    d.setIn(['metadata', 'annotations', MESSAGE_ANNOTATION], gz);
    d.setIn(['metadata', 'annotations', SIGNATURE_ANNOTATION], signature);
  }
  return serialize(docs);
}

const isGzip = (b: Buffer): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** upstream GzipDecompress: gunzip, or the input unchanged when it is not gzip. */
function gunzipOrRaw(b: Buffer): Buffer {
  if (!isGzip(b)) return b;
  try {
    return gunzipSync(b);
  } catch {
    return b;
  }
}

/** The signed resources inside M: plain YAML, or (upstream's default) a tar.gz of YAML files. */
function manifestsInMessage(message: Buffer): Json[] {
  const texts = isGzip(message)
    ? readTar(gunzipSync(message))
        .filter((e) => /\.ya?ml$/i.test(e.name))
        .map((e) => e.content.toString('utf8'))
    : [message.toString('utf8')];
  return texts.flatMap((t) => parseDocs(t, 'signed message').map((d) => d.toJS() as Json));
}

interface ObjectId {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

function idOf(obj: Json): ObjectId {
  const o = (obj ?? {}) as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace };
}

export function describeObject(obj: Json): string {
  const id = idOf(obj);
  return `${id.kind ?? '?'}/${id.name ?? '?'}`;
}

export interface AnnotatedResult {
  resource: string;
  verified: boolean;
  reason: string;
  diffs: FieldDiff[];
}

/** Verify one resource's annotations against `key`, then compare it field-wise with its signed manifest. */
export function verifyAnnotatedObject(
  obj: Json,
  key: KeyObject,
  opts: { live: boolean; ignoreFields?: string[] },
): AnnotatedResult {
  const resource = describeObject(obj);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { resource, verified: false, reason: 'not a Kubernetes object (expected a mapping)', diffs: [] };
  }
  const annotations = (obj as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations ?? {};
  const msg = annotations[MESSAGE_ANNOTATION];
  const sig = annotations[SIGNATURE_ANNOTATION];
  if (!msg || !sig)
    return {
      resource,
      verified: false,
      reason: `not signed: no ${MESSAGE_ANNOTATION}/${SIGNATURE_ANNOTATION} annotations`,
      diffs: [],
    };
  const message = gunzipOrRaw(Buffer.from(msg, 'base64'));
  try {
    verifyBlobSignature(message, Buffer.from(sig, 'base64'), key);
  } catch (err) {
    return { resource, verified: false, reason: (err as Error).message, diffs: [] };
  }
  const id = idOf(obj);
  const match = manifestsInMessage(message).find((m) => {
    const s = idOf(m);
    return (
      s.apiVersion === id.apiVersion &&
      s.kind === id.kind &&
      s.name === id.name &&
      (!s.namespace || s.namespace === id.namespace)
    );
  });
  if (!match)
    return {
      resource,
      verified: false,
      reason: 'the signed message holds no manifest with this apiVersion/kind/name',
      diffs: [],
    };
  const diffs = diffFields(match, obj, { live: opts.live, ignore: opts.ignoreFields });
  if (diffs.length > 0) {
    const first = diffs
      .slice(0, 3)
      .map(
        (d) => `${d.path}: signed ${stringify(d.signed ?? null).trim()}, found ${stringify(d.actual ?? null).trim()}`,
      );
    return {
      resource,
      verified: false,
      reason: `signature valid, but the resource differs from what was signed: ${first.join('; ')}`,
      diffs,
    };
  }
  return { resource, verified: true, reason: 'signature valid and every signed field matches', diffs: [] };
}

/** Every resource in a YAML file (a manifest, or objects dumped from the cluster with `--live`). */
export function verifyAnnotatedManifests(
  text: string,
  key: KeyObject,
  opts: { live: boolean; ignoreFields?: string[] },
): AnnotatedResult[] {
  return parseDocs(text, 'manifest').map((d) => verifyAnnotatedObject(d.toJS() as Json, key, opts));
}
