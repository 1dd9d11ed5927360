import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import alertmanagerTarget from '../../src/render/alertmanager.js';
import prometheusTarget from '../../src/render/prometheus.js';
import type { RenderTarget } from '../../src/render/render-target.js';
import { canaryPolicy, type CanaryPolicy } from '../../src/schema/policy.js';
import { installedBinary } from '../support/binaries.js';

// The rendered rules and routes checked by the real tools: promtool 2.42 and amtool 0.25 (Debian packages).
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function policy(spec: Record<string, unknown>): CanaryPolicy {
  return canaryPolicy.parse({ apiVersion: 'adaptive-canary/v1', kind: 'CanaryPolicy', metadata: { name: 'x' }, spec });
}

async function render(p: CanaryPolicy, ...targets: RenderTarget[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ac-render-'));
  dirs.push(dir);
  for (const t of targets) {
    for (const f of await t.render({ policy: p, policyDir: dir, env: {} })) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
  }
  return dir;
}

function run(cmd: 'promtool' | 'amtool', args: string[], cwd: string) {
  const r = spawnSync(installedBinary(cmd), args, { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, out: `${r.stdout}${r.stderr}` };
}

const maestro = policy({
  service: 'maestro-api',
  alerting: {
    receivers: { releaseCaptain: 'http://127.0.0.1:9/rc', sreOncall: 'http://127.0.0.1:9/sre' },
    maintenanceWindow: { weekdays: ['tuesday'], times: [{ start: '22:00', end: '23:30' }], location: 'Europe/Berlin' },
  },
});
const checkout = policy({
  service: 'checkout',
  interval: '30s',
  promotion: { errorBudget: { slo: 0.995, period: '28d' } },
});

describe.each([
  ['maestro-api (30d, 99.9%)', maestro],
  ['checkout (28d, 99.5%, no window)', checkout],
])('rendered for %s', (_, p) => {
  it('rules pass promtool check rules and their promtool unit tests', async () => {
    const dir = join(await render(p, prometheusTarget), 'prometheus');
    const check = run('promtool', ['check', 'rules', 'canary-rules.yaml'], dir);
    expect(check.out).toContain('SUCCESS: 21 rules found');
    expect(check.status).toBe(0);
    const test = run('promtool', ['test', 'rules', 'canary-rules.test.yaml'], dir);
    expect(test.out).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('the Alertmanager config passes amtool check-config', async () => {
    const dir = join(await render(p, alertmanagerTarget), 'alertmanager');
    const check = run('amtool', ['check-config', 'canary-routes.yaml'], dir);
    expect(check.out).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });
});

describe('promtool unit tests have teeth', () => {
  it('fail when the page threshold is raised beyond the test data', async () => {
    const dir = join(await render(maestro, prometheusTarget), 'prometheus');
    const rules = join(dir, 'canary-rules.yaml');
    const text = readFileSync(rules, 'utf8');
    writeFileSync(
      rules,
      text.replaceAll('(14.4 * 0.001)', '(1000 * 0.001)').replaceAll('(6 * 0.001)', '(1000 * 0.001)'),
    );
    const test = run('promtool', ['test', 'rules', 'canary-rules.test.yaml'], dir);
    expect(test.status).toBe(1);
    expect(test.out).toContain('alertname: ServiceErrorBudgetBurn');
    expect(test.out).toContain('alertname: CanaryErrorBudgetBurn');
  });
});

describe('amtool config routes test on the rendered routes', () => {
  const routes = async () => join(await render(maestro, alertmanagerTarget), 'alertmanager', 'canary-routes.yaml');
  const common = ['service=maestro-api', 'source=adaptive-canary'];
  it.each([
    [
      'a rollback in progress reaches both Release Captain and SRE Oncall',
      'maestro-api-release-captain,maestro-api-sre-oncall',
      ['alertname=CanaryRollbackInProgress', 'severity=page', 'component=canary-controller', 'rollout=r1'],
    ],
    [
      'the canary burn page reaches both',
      'maestro-api-release-captain,maestro-api-sre-oncall',
      ['alertname=CanaryErrorBudgetBurn', 'severity=page', 'component=canary'],
    ],
    [
      'a service SLO page reaches SRE Oncall only',
      'maestro-api-sre-oncall',
      ['alertname=ServiceErrorBudgetBurn', 'severity=page', 'component=slo'],
    ],
    [
      'a controller ticket reaches both',
      'maestro-api-release-captain,maestro-api-sre-oncall',
      ['alertname=CanaryAnalysisStuck', 'severity=ticket', 'component=canary-controller'],
    ],
  ])('%s', async (_, receivers, labels) => {
    const r = run(
      'amtool',
      [
        'config',
        'routes',
        'test',
        `--config.file=${await routes()}`,
        `--verify.receivers=${receivers}`,
        ...common,
        ...labels,
      ],
      tmpdir(),
    );
    expect(r.stdout.trim()).toBe(receivers);
    expect(r.status).toBe(0);
  });

  it("another service's alerts go to the blackhole, and --verify.receivers catches a wrong expectation", async () => {
    const file = await routes();
    const other = run(
      'amtool',
      [
        'config',
        'routes',
        'test',
        `--config.file=${file}`,
        '--verify.receivers=blackhole',
        'service=billing',
        'severity=page',
      ],
      tmpdir(),
    );
    expect(other.status).toBe(0);
    const wrong = run(
      'amtool',
      [
        'config',
        'routes',
        'test',
        `--config.file=${file}`,
        '--verify.receivers=maestro-api-release-captain',
        ...common,
        'severity=page',
        'component=slo',
      ],
      tmpdir(),
    );
    expect(wrong.status).toBe(1);
  });
});

describe('the shipped example files', () => {
  const example = join(import.meta.dirname, '../../examples/maestro-api');
  it('pass promtool and amtool as committed', () => {
    expect(existsSync(join(example, 'prometheus/canary-rules.yaml'))).toBe(true);
    expect(run('promtool', ['check', 'rules', 'canary-rules.yaml'], join(example, 'prometheus')).status).toBe(0);
    expect(run('promtool', ['test', 'rules', 'canary-rules.test.yaml'], join(example, 'prometheus')).status).toBe(0);
    expect(run('amtool', ['check-config', 'canary-routes.yaml'], join(example, 'alertmanager')).status).toBe(0);
  });
});
