import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { failReason, tempWorkspace, writeRollout } from '../../test/support/evidence-fixtures.js';
import type { RolloutSnapshot } from '../controller/view.js';
import { createApp } from './app.js';
import { EvidenceView } from './evidence-view.js';
import { silentLogger } from './logger.js';

function served(root: string) {
  const { app } = createApp({
    view: new EvidenceView(root),
    registry: new Registry(),
    logger: silentLogger,
    loopbackOnly: true,
    heartbeatMs: 1000,
    readOnly: true,
  });
  return (path: string, init?: RequestInit) =>
    app.request(path, { ...init, headers: { host: '127.0.0.1:8080', ...init?.headers } });
}

describe('past rollouts from the evidence, read-only', () => {
  it('turns each rollout into the snapshot the dashboard shows, reasons presented like everywhere else', async () => {
    const ws = tempWorkspace();
    writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-bad' }, 'rolled-back', {
      rollbackDurationSeconds: 0.3,
    });
    writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-good' }, 'promoted');
    const request = served(ws.root);
    const list = (await (await request('/api/v1/rollouts')).json()) as { data: { id: string; phase: string }[] };
    expect(list.data.map((r) => [r.id, r.phase]).sort()).toEqual([
      ['r-bad', 'rolled-back'],
      ['r-good', 'promoted'],
    ]);
    const bad = ((await (await request('/api/v1/rollouts/r-bad')).json()) as { data: RolloutSnapshot }).data;
    expect(bad).toMatchObject({
      service: 'maestro-api',
      rollbackDurationSeconds: 0.3,
      headline: `error-rate: ${failReason.message}`,
      reasons: [{ signal: 'error-rate', verdict: 'fail', text: failReason.message }],
    });
    expect(bad.decisions.map((d) => d.action)).toEqual(['start', 'step', 'step', 'rollback']);
    expect(await (await request('/api/v1/info')).json()).toEqual({ data: { readOnly: true } });
  });

  it('has no manual actions: 405 with Allow: GET, whatever the token', async () => {
    const ws = tempWorkspace();
    writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-bad' }, 'rolled-back');
    const res = await served(ws.root)('/api/v1/rollouts/r-bad/abort', {
      method: 'POST',
      headers: { authorization: 'Bearer anything' },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await res.json()).toMatchObject({ error: { code: 'E_METHOD_NOT_ALLOWED' } });
  });
});
