import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSilences, postRollbackAlert } from '../../src/observability/alertmanager-client.js';
import { alertmanagerYaml } from '../../src/render/alertmanager.js';
import { maintenanceWindow } from '../../src/schema/observability.js';
import { canaryPolicy } from '../../src/schema/policy.js';
import { installedBinary } from '../support/binaries.js';
import { freePort } from '../support/free-port.js';
import { untilValue } from '../support/poll.js';

// A real Alertmanager 0.25 (Debian prometheus-alertmanager) on loopback with temp storage and no clustering,
// running the rendered config (only the timings shortened) with its receivers pointing at a real webhook
// receiver in this test.
interface Notification {
  path: string;
  body: {
    status: string;
    receiver: string;
    groupLabels: Record<string, string>;
    alerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
  };
}

const received: Notification[] = [];
let hooks: Server;
let am: ChildProcess;
let amUrl = '';
let dir = '';
let stderr = '';

const until = <T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> =>
  untilValue(what, f, { timeoutMs, detail: () => `alertmanager said: ${stderr.slice(-2000)}` });

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Notification['body'] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}`;
  const policy = canaryPolicy.parse({
    apiVersion: 'adaptive-canary/v1',
    kind: 'CanaryPolicy',
    metadata: { name: 'maestro-api' },
    spec: {
      service: 'maestro-api',
      alerting: {
        receivers: { releaseCaptain: `${hookUrl}/release-captain`, sreOncall: `${hookUrl}/sre-oncall` },
        maintenanceWindow: { weekdays: ['tuesday'], times: [{ start: '22:00', end: '23:30' }] },
      },
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'ac-am-'));
  writeFileSync(
    join(dir, 'am.yml'),
    alertmanagerYaml(policy.spec, {
      groupWait: '1s',
      urgentGroupWait: '1s',
      groupInterval: '1s',
      repeatInterval: '1h',
    }),
  );
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  am = spawn(
    installedBinary('prometheus-alertmanager'),
    [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  am.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await until('alertmanager ready', async () => {
    if (am.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
    try {
      return (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
});

afterAll(async () => {
  if (am && am.exitCode === null) {
    const exited = new Promise((r) => am.once('exit', r));
    am.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => hooks?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function createSilence(
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[],
  hours: number,
  comment: string,
): Promise<string> {
  const now = Date.now();
  const res = await fetch(`${amUrl}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers,
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + hours * 3_600_000).toISOString(),
      createdBy: 'sre-oncall',
      comment,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { silenceID: string }).silenceID;
}

describe('silence check against a real Alertmanager', () => {
  it(
    'reports a real regex silence on our service outside the planned ' + 'window, and not one on another service',
    async () => {
      const ours = await createSilence([{ name: 'service', value: 'maestro-.*', isRegex: true }], 8, 'noisy deploy');
      const theirs = await createSilence([{ name: 'service', value: 'billing', isRegex: false }], 8, 'billing work');
      const onlyTickets = await createSilence(
        [
          { name: 'severity', value: 'ticket', isRegex: false },
          { name: 'rollout', value: 'r-other', isRegex: false },
        ],
        8,
        'other rollout',
      );
      const window = maintenanceWindow.parse({ weekdays: ['tuesday'], times: [{ start: '22:00', end: '23:30' }] });
      const check = await checkSilences({
        alertmanagerUrl: amUrl,
        service: 'maestro-api',
        rollout: 'r1',
        window,
        now: new Date(),
      });
      expect(check.status).toBe('blocked');
      expect(check.blocking.map((s) => s.id)).toEqual([ours]);
      expect(check.blocking[0]!.mutes).toContain('CanaryRollbackInProgress');
      expect(check.reason).toContain('noisy deploy');
      expect(JSON.stringify(check)).not.toContain(theirs);
      expect(JSON.stringify(check)).not.toContain(onlyTickets);

      // The same silence counts as planned when the window covers it (here: a window that is always open).
      const planned = await checkSilences({
        alertmanagerUrl: amUrl,
        service: 'maestro-api',
        rollout: 'r1',
        window: maintenanceWindow.parse({}),
        now: new Date(),
      });
      expect(planned).toMatchObject({ ok: true, status: 'pass' });
      expect(planned.planned.map((s) => s.id)).toEqual([ours]);

      for (const id of [ours, theirs, onlyTickets])
        expect((await fetch(`${amUrl}/api/v2/silence/${id}`, { method: 'DELETE' })).status).toBe(200);
      const after = await checkSilences({
        alertmanagerUrl: amUrl,
        service: 'maestro-api',
        rollout: 'r1',
        window,
        now: new Date(),
      });
      expect(after).toMatchObject({ ok: true, status: 'pass', blocking: [] });
    },
  );

  it('reports unknown when Alertmanager does not answer', async () => {
    const check = await checkSilences({
      alertmanagerUrl: `http://127.0.0.1:${await freePort()}`,
      service: 'maestro-api',
      now: new Date(),
      timeoutMs: 2000,
    });
    expect(check).toMatchObject({ ok: false, status: 'unknown' });
  });
});

describe('rollback alert through a real Alertmanager', () => {
  it(
    'is routed to Release Captain and SRE Oncall with the reasons, and ' +
      'inhibits canary noise but not service pages',
    async () => {
      const now = new Date();
      const posted = await postRollbackAlert({
        alertmanagerUrl: amUrl,
        service: 'maestro-api',
        rollout: 'r1',
        reasons: ['error-rate: canary 3.1x baseline (mixture LR 412 > 1/alpha 200)'],
        now,
      });
      expect(posted).toEqual({ ok: true });
      const byPath = (path: string, alertname: string) =>
        received.find((n) => n.path === path && n.body.alerts.some((a) => a.labels.alertname === alertname));
      const rc = await until('release captain notification', () =>
        byPath('/release-captain', 'CanaryRollbackInProgress'),
      );
      const sre = await until('sre oncall notification', () => byPath('/sre-oncall', 'CanaryRollbackInProgress'));
      expect(rc.body).toMatchObject({
        status: 'firing',
        receiver: 'maestro-api-release-captain',
        groupLabels: { alertname: 'CanaryRollbackInProgress', service: 'maestro-api', rollout: 'r1' },
      });
      expect(rc.body.alerts[0]!.annotations.description).toContain('mixture LR 412');
      expect(sre.body.receiver).toBe('maestro-api-sre-oncall');

      // While the rollback alert fires, the canary burn page is inhibited; the service SLO page is not.
      const labels = { service: 'maestro-api', source: 'adaptive-canary', severity: 'page' };
      const res = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: {
              ...labels,
              alertname: 'CanaryErrorBudgetBurn',
              component: 'canary',
              rollout: 'r1',
              variant: 'canary',
              version: '1.5.0',
              slo: 'availability',
            },
          },
          { labels: { ...labels, alertname: 'ServiceErrorBudgetBurn', component: 'slo', slo: 'availability' } },
        ]),
      });
      expect(res.status).toBe(200);
      await until('service page notification', () => byPath('/sre-oncall', 'ServiceErrorBudgetBurn'));
      const state = (await (
        await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent('alertname="CanaryErrorBudgetBurn"')}`)
      ).json()) as { status: { state: string; inhibitedBy: string[] } }[];
      expect(state[0]!.status.state).toBe('suppressed');
      expect(state[0]!.status.inhibitedBy.length).toBe(1);
      expect(received.some((n) => n.body.alerts.some((a) => a.labels.alertname === 'CanaryErrorBudgetBurn'))).toBe(
        false,
      );
    },
  );
});
