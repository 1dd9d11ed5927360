import { describe, expect, it } from 'vitest';
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
