/**
 * Removes secrets before anything is written or sent: evidence records, webhook logs, write-ups, reports.
 * Three nets, because any one alone misses something:
 *  1. keys that name a secret (password, token, authorization, api key, cookie...) lose their value;
 *  2. secret-shaped text (Bearer/Basic credentials, `password=...`, `user:pass@` in URLs, `?token=`) is masked;
 *  3. the values of secret-looking environment variables (and any extra values given) are masked wherever
 *     they appear, in every encoding a request carries them (secretForms), e.g. a probe password echoed
 *     back URL-encoded in an error message.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY = new RegExp(
  String.raw`(^|[-_.])(authorization|proxy-authorization|cookie|set-cookie|pass(word|wd)?|pwd|secret|token|` +
    String.raw`api[-_]?key|private[-_]?key|credentials?|client[-_]?secret|session[-_]?id|signature)$|` +
    String.raw`(password|secret|token|apikey)$`,
  'i',
);
const SECRET_ENV = /(TOKEN|SECRET|PASSW(OR)?D|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH(?!OR))/i;
/** Shorter values would mask ordinary words and numbers. */
const MIN_SECRET_LENGTH = 6;

const TEXT_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // Base64 credentials, not prose: "Basic checks" stays, "Basic dXNlcjpwYXNz" goes.
  [/\b(Basic)\s+(?=[A-Za-z0-9+/=]*[A-Z0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g, `$1 ${REDACTED}`],
  [/\b(authorization|proxy-authorization|cookie|x-api-key)(\s*[:=]\s*)("?)[^"\r\n]+/gi, `$1$2$3${REDACTED}`],
  [/("(?:[a-z_-]*(?:password|passwd|secret|token|api[-_]?key))"\s*:\s*")[^"]*(")/gi, `$1${REDACTED}$2`],
  [/\b((?:[a-z_-]*)(?:password|passwd|pwd|secret|token|api[-_]?key))(=)[^\s&"',;]+/gi, `$1$2${REDACTED}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(@)/gi, `$1${REDACTED}$2`],
];

/** Base64 fragments shorter than this are too common to mask. */
const MIN_BASE64_FRAGMENT = 6;

/**
 * Every form a request can carry a secret in: raw, URL-encoded (`%20` and `+` for spaces, and the stricter
 * URLSearchParams form), JSON-escaped (once and twice, for JSON inside a JSON string), and base64 — standard
 * and URL-safe, at each of the three byte alignments, so the secret is found inside a longer encoded value
 * such as `Basic base64(user:secret)`. A base64 fragment is the part of the encoding that depends on the
 * secret's bytes only. The one list of forms for the evidence and the synthetics redactors.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  forms.add(uri.replace(/%20/g, '+'));
  forms.add(encodeURI(secret));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(JSON.stringify(json).slice(1, -1));
  const bytes = Buffer.from(secret, 'utf8');
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const fragment = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (fragment.length < MIN_BASE64_FRAGMENT) continue;
    forms.add(fragment);
    forms.add(fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((f) => f.length > 0);
}

/**
 * Masks every form of every secret in `text` (see secretForms). `forms` comes from `secretForms`, computed
 * once per secret; longer forms are replaced first, so a form containing another is masked whole. A
 * `Basic` credential whose decoded text contains a secret is masked as a whole.
 */
export function maskSecretForms(
  text: string,
  secrets: readonly string[],
  forms: readonly string[],
  mark: string,
): string {
  let out = text.replace(/\b(Basic\s+)([A-Za-z0-9+/]+={0,2})/g, (whole, scheme: string, token: string) => {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    return secrets.some((s) => decoded.includes(s)) ? `${scheme}${mark}` : whole;
  });
  for (const f of forms) if (out.includes(f)) out = out.split(f).join(mark);
  return out;
}

/** secretForms of many secrets, longest form first. */
export function formsOf(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
}

export interface RedactOptions {
  /** Environment to take secret values from (default: process.env). Pass {} to skip. */
  env?: NodeJS.ProcessEnv;
  /** Further literal values to mask (e.g. the webhook secret, resolved ${env:...} variables). */
  secrets?: readonly string[];
}

/** Values of environment variables whose names look secret, longest first (so overlaps mask fully). */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_ENV.test(name) && typeof value === 'string' && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value as string);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A redactor with its secret list computed once (use for many records). */
export function makeRedactor(options: RedactOptions = {}): <T>(value: T) => T {
  const extra = (options.secrets ?? []).filter((s) => s.length >= MIN_SECRET_LENGTH);
  const literals = [...new Set([...extra, ...secretValuesFromEnv(options.env ?? process.env)])];
  const forms = formsOf(literals);
  const text = (s: string): string => {
    let out = maskSecretForms(s, literals, forms, REDACTED);
    for (const [re, replacement] of TEXT_PATTERNS) out = out.replace(re, replacement);
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = isSecretKey(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : walk(v);
      }
      return out;
    }
    return value;
  };
  return <T>(value: T): T => walk(value) as T;
}

/** Redacts a string or a JSON-like object (returns a copy; the input is not changed). */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  return makeRedactor(options)(value);
}
