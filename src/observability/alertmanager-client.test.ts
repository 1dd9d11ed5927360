import { describe, expect, it } from 'vitest';
import { maintenanceWindow } from '../schema/observability.js';
import { checkSilences, postRollbackAlert, type Silence } from './alertmanager-client.js';

const window = maintenanceWindow.parse({ weekdays: ['tuesday'], times: [{ start: '20:00', end: '23:00' }] });
const now = new Date('2025-06-03T20:30:00Z');
const silence = (
  id: string,
  matchers: Silence['matchers'],
  startsAt: string,
  endsAt: string,
  state: Silence['status']['state'] = 'active',
): Silence => ({ id, status: { state }, matchers, startsAt, endsAt, createdBy: 'sre', comment: id });
const svc = { name: 'service', value: 'maestro-api', isRegex: false, isEqual: true };

function fakeFetch(body: unknown, status = 200) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
  return { fetch, calls };
}

describe('checkSilences', () => {
  it('blocks on an active silence outside the window, allows one inside, ignores expired and unrelated', async () => {
    const { fetch, calls } = fakeFetch([
      silence('planned', [svc], '2025-06-03T20:00:00Z', '2025-06-03T22:00:00Z'),
      silence('overnight', [svc], '2025-06-03T20:00:00Z', '2025-06-04T06:00:00Z'),
      silence('old', [svc], '2025-06-01T20:00:00Z', '2025-06-02T06:00:00Z', 'expired'),
      silence('other', [{ ...svc, value: 'billing' }], '2025-06-03T20:00:00Z', '2025-06-04T06:00:00Z'),
    ]);
    const check = await checkSilences({
      alertmanagerUrl: 'http://am:9093/',
      service: 'maestro-api',
      window,
      now,
      fetch,
    });
    expect(calls[0]!.url).toBe('http://am:9093/api/v2/silences');
    expect(check.status).toBe('blocked');
    expect(check.blocking.map((s) => s.id)).toEqual(['overnight']);
    expect(check.planned.map((s) => s.id)).toEqual(['planned']);
    expect(check.reason).toContain('overnight by sre');
  });

  it('reports unknown, not an exception, when Alertmanager is down', async () => {
    const fetch = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const check = await checkSilences({ alertmanagerUrl: 'http://127.0.0.1:1', service: 'maestro-api', now, fetch });
    expect(check).toMatchObject({ ok: false, status: 'unknown' });
    expect(check.reason).toContain('ECONNREFUSED');
  });
});

describe('postRollbackAlert', () => {
  it('posts one alert with our labels and the reasons', async () => {
    const { fetch, calls } = fakeFetch('');
    const res = await postRollbackAlert({
      alertmanagerUrl: 'http://am',
      service: 'maestro-api',
      rollout: 'r1',
      reasons: ['errors 3.1x baseline'],
      now,
      fetch,
    });
    expect(res).toEqual({ ok: true });
    const body = JSON.parse(calls[0]!.init!.body as string);
    expect(body[0].labels).toEqual({
      alertname: 'CanaryRollbackInProgress',
      service: 'maestro-api',
      rollout: 'r1',
      severity: 'page',
      component: 'canary-controller',
      source: 'adaptive-canary',
    });
    expect(body[0].endsAt).toBe('2025-06-03T20:45:00.000Z');
  });

  it('returns the error on HTTP 400', async () => {
    const { fetch } = fakeFetch({ message: 'bad' }, 400);
    const res = await postRollbackAlert({
      alertmanagerUrl: 'http://am',
      service: 's',
      rollout: 'r',
      reasons: [],
      now,
      fetch,
    });
    expect(res.ok).toBe(false);
  });
});
