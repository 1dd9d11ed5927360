import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ArgoActuator } from '../../src/actuators/argo/argo-actuator.js';
import { LeaderElector } from '../../src/actuators/argo/lease.js';
import { RolloutClient } from '../../src/actuators/argo/rollout-client.js';
import { RolloutWatcher } from '../../src/actuators/argo/rollout-watcher.js';
import { updateState } from '../../src/actuators/argo/state-annotation.js';
import { EvidenceConfigMaps } from '../../src/controller/cluster/evidence-configmaps.js';
import { RolloutEventRecorder } from '../../src/controller/cluster/rollout-events.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer, type RecordedRequest } from '../support/kube-apiserver.js';
import { makeRollout } from '../support/rollout-fixture.js';

/* eslint-disable @typescript-eslint/no-unsafe-return -- parsed YAML is untyped by nature */
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DEPLOY = new URL('../../deploy/', import.meta.url);
const files: string[] = (
  parseAllDocuments(readFileSync(new URL('kustomization.yaml', DEPLOY), 'utf8'))[0]!.toJS() as Doc
).resources;
const docs: Doc[] = files.flatMap((f) =>
  parseAllDocuments(readFileSync(new URL(f, DEPLOY), 'utf8')).map((d) => {
    expect(d.errors, f).toEqual([]);
    return d.toJS() as Doc;
  }),
);
const byKind = (kind: string): Doc[] => docs.filter((d) => d.kind === kind);
const one = (kind: string): Doc => {
  const found = byKind(kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

describe('deploy/ manifests', () => {
  it('every document has apiVersion, kind, metadata.name, and a namespace where it is namespaced', () => {
    for (const d of docs) {
      expect(d.apiVersion && d.kind && d.metadata?.name).toBeTruthy();
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind))
        expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe('adaptive-canary');
    }
    expect(docs.map((d) => d.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Namespace',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('Deployment: 2 replicas, our ServiceAccount, selector matches the pod labels, hardened container', () => {
    const dep = one('Deployment');
    const pod = dep.spec.template.spec;
    expect(dep.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
    expect(dep.spec.template.metadata.labels).toMatchObject(dep.spec.selector.matchLabels);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.args.slice(0, 1)).toEqual(['serve']);
    expect(c.env.find((e: Doc) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(c.resources.requests.cpu).toBeDefined();
  });

  it('Deployment runs the image `npm run image` builds: localhost/adaptive-canary:<package version>', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const c = one('Deployment').spec.template.spec.containers[0];
    // A kustomize `images:` entry (how a team points deploy/ at its registry) would rename it; the default does not.
    const kustomization = parseAllDocuments(readFileSync(new URL('kustomization.yaml', DEPLOY), 'utf8'))[0]!.toJS();
    expect(kustomization.images).toBeUndefined();
    expect(c.image).toBe(`localhost/adaptive-canary:${pkg.version}`);
    expect(one('Deployment').spec.template.spec.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
  });

  it('Deployment: signatures are checked against a mounted public key, never switched off', () => {
    const pod = one('Deployment').spec.template.spec;
    const c = pod.containers[0];
    const keyFile: string = c.args[c.args.indexOf('--public-key') + 1];
    expect(c.args).not.toContain('--allow-unsigned');
    const mount = c.volumeMounts.find((m: Doc) => keyFile.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ readOnly: true });
    expect(pod.volumes.find((v: Doc) => v.name === mount.name).configMap.name).toBe('adaptive-canary-signing');
  });

  it('Deployment: the evidence key comes from an optional Secret, mounted read-only where the env var points', () => {
    const pod = one('Deployment').spec.template.spec;
    const c = pod.containers[0];
    const env = (name: string): Doc => c.env.find((e: Doc) => e.name === name);
    const keyFile: string = env('ADAPTIVE_CANARY_EVIDENCE_KEY').value;
    const mount = c.volumeMounts.find((m: Doc) => keyFile === `${m.mountPath}/cosign.key`);
    expect(mount).toMatchObject({ readOnly: true });
    const volume = pod.volumes.find((v: Doc) => v.name === mount.name);
    expect(volume.secret).toEqual({
      secretName: 'adaptive-canary-evidence-key',
      optional: true, // the controller starts without it (serve warns that heads are unsigned)
      items: [{ key: 'cosign.key', path: 'cosign.key' }],
      defaultMode: 0o440,
    });
    // Group-readable by the pod's fsGroup, which is the user the image runs as.
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsUser);
    expect(env('COSIGN_PASSWORD').valueFrom.secretKeyRef).toEqual({
      name: 'adaptive-canary-evidence-key',
      key: 'cosign.password',
      optional: true,
    });
    expect(c.args).not.toContain('--evidence-key'); // a flag's file must exist: the env var is the optional form
  });

  it('Service selects the controller pods and targets a named container port', () => {
    const svc = one('Service');
    const dep = one('Deployment');
    expect(dep.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const portNames = dep.spec.template.spec.containers[0].ports.map((p: Doc) => p.name);
    for (const p of svc.spec.ports) expect(portNames).toContain(p.targetPort);
  });

  it('RBAC is least privilege: no wildcards, no secrets, exact rules, bound to the ServiceAccount', () => {
    const all = [...byKind('ClusterRole'), ...byKind('Role')].flatMap((r) => r.rules as Doc[]);
    for (const rule of all) {
      for (const field of ['apiGroups', 'resources', 'verbs']) expect(rule[field]).not.toContain('*');
      expect(rule.resources).not.toContain('secrets');
      expect(rule.verbs).not.toContain('delete');
    }
    expect(one('ClusterRole').rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['argoproj.io'], resources: ['rollouts/status'], verbs: ['patch'] },
      { apiGroups: ['argoproj.io'], resources: ['experiments'], verbs: ['get'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    ]);
    // ConfigMaps (the evidence) only in the controller's own namespace, and never delete.
    const role = byKind('Role').find((r) => (r.rules as Doc[]).some((x) => x.resources.includes('configmaps')))!;
    expect(role.metadata.namespace).toBe('adaptive-canary');
    expect((role.rules as Doc[]).find((x) => x.resources.includes('configmaps'))).toEqual({
      apiGroups: [''],
      resources: ['configmaps'],
      verbs: ['list', 'create', 'update'],
    });
    const sa = one('ServiceAccount');
    for (const b of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')]) {
      expect(b.subjects).toEqual([
        { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
      ]);
      expect(docs.some((d) => d.kind === b.roleRef.kind && d.metadata.name === b.roleRef.name)).toBe(true);
    }
  });
});

/** What the API server's authorizer sees of one recorded request: group, namespace, resource, name and verb. */
function attributes(req: RecordedRequest) {
  const m = /^\/(?:apis\/([^/]+)|api)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(
    req.path,
  );
  if (!m) return undefined;
  const [, group = '', ns, plural, name, sub] = m;
  const verb = (
    {
      GET: name ? 'get' : req.query.watch === 'true' ? 'watch' : 'list',
      PATCH: 'patch',
      PUT: 'update',
      POST: 'create',
      DELETE: 'delete',
    } as Record<string, string>
  )[req.method];
  return { group, ns, resource: sub ? `${plural}/${sub}` : plural!, name, verb: verb! };
}

/** The rules that apply in a namespace: the ClusterRole's everywhere, a Role's only in its own. */
const rulesIn = (ns: string | undefined): Doc[] =>
  [...byKind('ClusterRole'), ...byKind('Role').filter((r) => r.metadata.namespace === ns)].flatMap(
    (r) => r.rules as Doc[],
  );

/** RBAC check of one recorded request against the manifests' rules, the way the API server authorizes it. */
function allowed(req: RecordedRequest): boolean {
  const a = attributes(req);
  if (!a) return false;
  return rulesIn(a.ns).some(
    (rule) =>
      rule.apiGroups.includes(a.group) &&
      rule.resources.includes(a.resource) &&
      rule.verbs.includes(a.verb) &&
      (!rule.resourceNames || (a.name && rule.resourceNames.includes(a.name))),
  );
}

describe('the RBAC rules allow every call the controller makes, and nothing is missing', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await KubeApiServer.start();
  });
  afterAll(async () => api.close());

  it(
    'lease election, cluster-wide watch, state annotation, promote, abort, ' + 'evidence and Events are all authorized',
    async () => {
      const argo = new ArgoSimulator(api);
      api.seedRollout(makeRollout({ name: 'maestro-api', namespace: 'shop' }));
      argo.reconcile('shop', 'maestro-api');
      const leaseName = (byKind('Role')[0]!.rules as Doc[]).find((r) => r.resourceNames)!.resourceNames[0];
      const elector = new LeaderElector({
        kubeConfig: api.kubeConfig(),
        namespace: 'adaptive-canary',
        name: leaseName,
        identity: 'pod-a',
        retryPeriodMs: 50,
      });
      expect(await elector.tryAcquireOrRenew()).toBe(true);
      expect(await elector.tryAcquireOrRenew()).toBe(true);
      const client = await RolloutClient.create(api.kubeConfig());
      const watcher = new RolloutWatcher(api.kubeConfig(), client, () => undefined, {});
      await watcher.start();
      await new Promise((r) => setTimeout(r, 50));
      const act = await ArgoActuator.create({
        kubeConfig: api.kubeConfig(),
        namespace: 'shop',
        rollout: 'maestro-api',
        pollIntervalMs: 10,
      });
      await new Promise((r) => setTimeout(r, 50));
      await act.setWeight(25);
      expect(await client.getExperiment('shop', 'maestro-api-c4n4ry--1')).toBeNull(); // a baseline step's lookup
      await updateState(client, 'shop', 'maestro-api', () => ({ step: 1 }));
      await act.rollback();
      // The cluster evidence (ConfigMaps in the controller's namespace) and an Event on the Rollout, as serve writes
      // them.
      const evidence = await EvidenceConfigMaps.create(api.kubeConfig(), 'adaptive-canary');
      const owner = {
        rolloutId: 'shop.maestro-api.c4n4ry',
        service: 'maestro-api',
        namespace: 'shop',
        name: 'maestro-api',
      };
      const segments = await evidence.write(owner, [], { 'decisions.jsonl': '{"seq":1}\n', 'head.json': '{}' });
      await evidence.write(owner, segments, { 'decisions.jsonl': '{"seq":1}\n{"seq":2}\n', 'head.json': '{}' });
      expect((await evidence.list({ rolloutId: owner.rolloutId }))[0]?.files['decisions.jsonl']).toBe(
        '{"seq":1}\n{"seq":2}\n',
      );
      const warnings: string[] = [];
      const events = await RolloutEventRecorder.create(
        api.kubeConfig(),
        { namespace: 'shop', name: 'maestro-api' },
        { instance: 'pod-a', onWarning: (w) => warnings.push(w) },
      );
      const decision = { action: 'rollback', at: Date.now(), step: 0, weight: 0, score: 0.2, by: 'judge', reasons: [] };
      events.notify({
        event: 'rollback',
        service: 'maestro-api',
        rolloutId: owner.rolloutId,
        step: 0,
        weight: 0,
        score: 0.2,
        decision: decision as never,
      });
      await events.flush(5_000);
      expect(warnings).toEqual([]);
      expect(api.events.store.list('shop').map((e) => e.reason)).toEqual(['CanaryRolledBack']);
      await elector.stop(true);
      watcher.stop();
      argo.close();
      const denied = api.requests
        .filter((r) => !allowed(r))
        .map((r) => `${r.method} ${r.path}${r.query.watch ? '?watch' : ''}`);
      expect(denied).toEqual([]);
      // And nothing more: every verb on every resource the manifests grant is one the controller was seen using.
      const used = new Set(
        api.requests.map(attributes).flatMap((a) => (a ? [`${a.group}/${a.resource} ${a.verb}`] : [])),
      );
      const granted = [...byKind('ClusterRole'), ...byKind('Role')]
        .flatMap((r) => r.rules as Doc[])
        .flatMap((rule) =>
          (rule.apiGroups as string[]).flatMap((g) =>
            (rule.resources as string[]).flatMap((res) => (rule.verbs as string[]).map((v) => `${g}/${res} ${v}`)),
          ),
        );
      expect(granted.filter((g) => !used.has(g))).toEqual([]);
      const verbs = new Set(
        api.requests.map(
          (r) =>
            `${r.method}${r.query.watch ? ' watch' : ''} ` +
            `${r.path.split('/').slice(-1)[0] === 'status' ? 'status' : r.path.split('/')[2]}`,
        ),
      );
      expect([...verbs].sort()).toEqual(
        expect.arrayContaining([
          'GET argoproj.io',
          'GET watch argoproj.io',
          'PATCH argoproj.io',
          'PATCH status',
          'POST coordination.k8s.io',
          'PUT coordination.k8s.io',
          'GET coordination.k8s.io',
          'GET v1',
          'POST v1',
          'PUT v1',
          'POST events.k8s.io',
        ]),
      );
    },
  );
});
