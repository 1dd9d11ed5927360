import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Diagnostic } from '../errors.js';

/**
 * YAML (or JSON) text → zod-validated value, or a ConfigError listing *every* problem with file:line:column.
 * The zod schema is the single source of the format; this module only maps its issues back to the source.
 */
export interface LoadedDocument<T> {
  value: T;
  /** Locate any path of the document (for semantic checks done after zod). */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
  text: string;
}

/** Parse and validate; throws ConfigError with all diagnostics (syntax errors first). */
export function parseDocumentText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): LoadedDocument<z.output<S>> {
  const result = checkDocumentText(text, file, schema);
  if (result.diagnostics.length > 0 || result.value === undefined) throw new ConfigError(result.diagnostics);
  return { value: result.value, locate: result.locate, text };
}

/** Like parseDocumentText but returns diagnostics instead of throwing, so callers can add their own. */
export function checkDocumentText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): { value?: z.output<S>; diagnostics: Diagnostic[]; locate: LoadedDocument<unknown>['locate']; doc: Document } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const locate = (path: readonly PropertyKey[]): { line: number; column: number } => at(offsetOf(doc, path));
  const diagnostics: Diagnostic[] = doc.errors.map((e) => ({
    file,
    ...at(e.pos[0]),
    severity: 'error',
    message: `YAML syntax: ${e.message.split('\n')[0] ?? e.message}`,
  }));
  if (diagnostics.length > 0) return { diagnostics, locate, doc };
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The yaml library refuses alias expansion past maxAliasCount (a "billion laughs" document): a user input
    // error like any other, located at the first alias.
    diagnostics.push({ file, ...at(firstAliasOffset(text)), severity: 'error', message: aliasMessage(err) });
    return { diagnostics, locate, doc };
  }
  const parsed = schema.safeParse(plain, { reportInput: true });
  if (parsed.success) return { value: parsed.data, diagnostics, locate, doc };
  for (const issue of parsed.error.issues) diagnostics.push(...issueDiagnostics(issue, file, doc, at));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { diagnostics, locate, doc };
}

function aliasMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return /alias/i.test(m)
    ? 'YAML aliases expand too far (more than 100 alias expansions): refusing a document that would exhaust memory'
    : `YAML: ${m}`;
}

function firstAliasOffset(text: string): number {
  const m = /(^|[\s[{,:-])\*[^\s,\]}]/m.exec(text);
  return m ? m.index + m[1]!.length : 0;
}

type Issue = z.core.$ZodIssue;

function issueDiagnostics(
  issue: Issue,
  file: string,
  doc: Document,
  at: (offset: number) => { line: number; column: number },
): Diagnostic[] {
  const path = issue.path;
  const dotted = formatPath(path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      file,
      ...at(keyOffset(doc, path, key)),
      severity: 'error' as const,
      path: formatPath([...path, key]),
      message: `unknown field "${key}"${dotted ? ` in ${dotted}` : ''}`,
    }));
  }
  return [{ file, ...at(offsetOf(doc, path)), severity: 'error', path: dotted, message: describeIssue(issue, dotted) }];
}

function describeIssue(issue: Issue, dotted: string): string {
  const where = dotted ? `${dotted}: ` : '';
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `${where}required field is missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_type') return `${where}expected ${issue.expected}, got ${describeValue(issue.input)}`;
  if (issue.code === 'invalid_value')
    return (
      `${where}must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` +
      `, got ${describeValue(issue.input)}`
    );
  if ((issue.code === 'too_big' || issue.code === 'too_small') && issue.input !== undefined)
    return `${where}${issue.message}, got ${describeValue(issue.input)}`;
  return `${where}${issue.message}`;
}

/** What was found, in words a user recognises (zod's own messages only name what was expected). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'number' && !Number.isFinite(v))
    return Number.isNaN(v) ? 'not a number (NaN)' : 'a number too large to represent';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Offset of the deepest existing node on `path` (a missing field points at its parent). */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
  for (const key of path) {
    const next = childOf(node, key);
    if (!next) break;
    node = next;
    offset = next.range?.[0] ?? offset;
  }
  return offset;
}

function keyOffset(doc: Document, path: readonly PropertyKey[], key: string): number {
  const parent = doc.getIn(path as unknown[], true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair && isNode(pair.key)) return pair.key.range?.[0] ?? offsetOf(doc, path);
  }
  return offsetOf(doc, path);
}

function childOf(node: unknown, key: PropertyKey): YamlNode | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
    return isNode(pair?.value) ? pair.value : undefined;
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return isNode(item) ? item : undefined;
  }
  return undefined;
}
