import { JSONPath } from 'jsonpath-plus';

/**
 * JSONPath via jsonpath-plus (safe eval, no `Function`). jsonpath-plus accepts almost any string silently, so
 * `jsonPathProblem` adds the structural checks a suite author needs: a leading `$`, balanced brackets and
 * quotes, no dangling `.`/`[`, and filter expressions that parse.
 */
export function queryJsonPath(path: string, json: unknown): unknown[] {
  const out: unknown = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' });
  return Array.isArray(out) ? out : [];
}

/** undefined when the path is well formed, else why not. */
export function jsonPathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return 'must start with "$"';
  if (/[.[]$/.test(path) && !path.endsWith('..')) return 'ends with a dangling "." or "["';
  if (path.endsWith('..')) return 'ends with ".." (recursive descent needs a name)';
  const structural = bracketProblem(path);
  if (structural) return structural;
  for (const m of path.matchAll(/\[\?\((.*?)\)\]/g)) {
    try {
      JSONPath({ path: `$[?(${m[1] ?? ''})]`, json: [{ a: 1 }], wrap: true, eval: 'safe' });
    } catch (err) {
      return `filter expression does not parse: ${(err as Error).message}`;
    }
  }
  return undefined;
}

function bracketProblem(path: string): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (const ch of path) {
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    if (depth < 0) return `unbalanced "${ch}"`;
  }
  if (quote) return `unterminated ${quote} quote`;
  if (depth !== 0) return 'unbalanced brackets';
  return undefined;
}
