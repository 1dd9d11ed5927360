import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REDACTED, redact, secretValuesFromEnv } from './redact.js';

const none = { env: {} };

describe('redact', () => {
  it('removes values under secret-looking keys, at any depth', () => {
    const out = redact(
      {
        user: 'bot',
        password: 'pw-123456',
        nested: [{ Authorization: 'Bearer xyz123456', apiKey: 'k', accessToken: 't' }],
        ok: true,
        tokenCount: 3,
      },
      none,
    );
    expect(out).toEqual({
      user: 'bot',
      password: REDACTED,
      nested: [{ Authorization: REDACTED, apiKey: REDACTED, accessToken: REDACTED }],
      ok: true,
      tokenCount: 3,
    });
  });

  it('masks secret-shaped text', () => {
    const cases: [string, string][] = [
      ['GET / Authorization: Bearer eyJhbGciOi.payload.sig', `GET / Authorization: ${REDACTED}`],
      ['sent Bearer eyJhbGciOi.payload.sig upstream', `sent Bearer ${REDACTED} upstream`],
      ['header Basic dXNlcjpwYXNz', `header Basic ${REDACTED}`],
      ['https://ci:s3cr3tpass@example.com/hook', `https://ci:${REDACTED}@example.com/hook`],
      ['https://x.test/hook?token=abc123&x=1', `https://x.test/hook?token=${REDACTED}&x=1`],
      ['{"user":"a","password":"p@ss"}', `{"user":"a","password":"${REDACTED}"}`],
      ['db_password=hunter2 rest', `db_password=${REDACTED} rest`],
    ];
    for (const [input, expected] of cases) expect(redact(input, none)).toBe(expected);
  });

  it('leaves ordinary prose and numbers alone', () => {
    const text = 'Basic checks passed; error ratio 1.2 within tolerance (token bucket refilled)';
    expect(redact(text, none)).toBe(text);
  });

  it('masks known secret env values wherever they appear, but not short or non-secret ones', () => {
    const env = {
      PROBE_PASSWORD: 'correct-horse',
      WEBHOOK_SECRET: 'whsec_abcdef',
      HOME: '/home/me',
      API_TOKEN: 'abc',
      GIT_AUTHOR_NAME: 'Ada Lovelace',
    };
    expect(secretValuesFromEnv(env)).toEqual(['correct-horse', 'whsec_abcdef']);
    expect(
      redact({ msg: 'login as bot/correct-horse failed; key whsec_abcdef; home /home/me; by Ada Lovelace' }, { env }),
    ).toEqual({
      msg: `login as bot/${REDACTED} failed; key ${REDACTED}; home /home/me; by Ada Lovelace`,
    });
  });

  it('masks extra literal secrets and does not change its input', () => {
    const input = { note: 'signed with s3cret-key-1' };
    expect(redact(input, { env: {}, secrets: ['s3cret-key-1'] })).toEqual({ note: `signed with ${REDACTED}` });
    expect(input.note).toBe('signed with s3cret-key-1');
  });
});

describe('secrets in every encoding', () => {
  const secret = 'pa ss+w/rd"é&=';
  const clean = (text: string): string => redact(text, { env: {}, secrets: [secret] });
  const carried: [string, string][] = [
    ['raw', `error: login failed for ${secret}`],
    ['URL-encoded, %20', `GET /login?p=${encodeURIComponent(secret)}&x=1`],
    ['URL-encoded, + for spaces', `body p=${encodeURIComponent(secret).replace(/%20/g, '+')}`],
    ['form-encoded (URLSearchParams)', `body ${new URLSearchParams({ p: secret }).toString()}`],
    ['JSON-escaped', `{"request":${JSON.stringify({ password2: secret })}}`],
    ['JSON inside JSON', JSON.stringify({ raw: JSON.stringify({ p: secret }) })],
    ['base64 Basic credentials', `Authorization: Basic ${Buffer.from(`bot:${secret}`).toString('base64')}`],
    ['base64 inside a longer value', `x-blob: v1.${Buffer.from(`{"u":"bot","p":"${secret}"}`).toString('base64')}.sig`],
    ['inside a longer header value', `x-auth: Token id=7;pw=${secret};v=2`],
  ];
  it.each(carried)('%s', (_name, text) => {
    const out = clean(text);
    expect(out).toContain(REDACTED);
    // Decoding what is left must not give the secret back either.
    const decodings = [out, decodeURIComponent(out.replace(/\+/g, ' ').replace(/%(?![0-9A-F]{2})/gi, '%25'))];
    for (const m of out.match(/[A-Za-z0-9+/]{8,}={0,2}/g) ?? []) decodings.push(Buffer.from(m, 'base64').toString());
    for (const d of decodings) expect(d).not.toContain(secret);
  });

  it('property: a secret embedded base64-encoded at any offset is masked', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 30 }), fc.string({ maxLength: 10 }), (s, prefix) => {
        const encoded = Buffer.from(`${prefix}${s}${prefix}`).toString('base64');
        const out = redact(`data ${encoded}`, { env: {}, secrets: [s] });
        return !Buffer.from(out.slice(5), 'base64').toString().includes(s);
      }),
      { numRuns: 200 },
    );
  });
});
