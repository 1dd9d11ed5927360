import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { loadKubeConfig } from '../../controller/cluster/kubeconfig.js';
import { ClusterController } from '../../controller/cluster/cluster-controller.js';
import { startServer } from '../../server/start-server.js';
import { readPublicKeyFile } from '../../supply-chain/key-file-store.js';
import { loadHeadSigner } from '../../supply-chain/evidence-key.js';
import { OtlpReceiver } from '../../sources/otlp/receiver.js';
import { clusterOtlpSources } from '../../sources/otlp/from-policy.js';
import { UnreachableError } from '../../errors.js';
import { println, type CliIO } from '../../io.js';

/** `adaptive-canary serve`'s inputs (its command-line options). */
export interface ServeOptions {
  kubeconfig?: string;
  listen: string;
  leaseNamespace?: string;
  leaseName: string;
  identity?: string;
  prometheusUrl?: string;
  publicKey?: string;
  allowUnsigned?: boolean;
  evidenceDir?: string;
  evidenceKey?: string;
}

/**
 * The controller on Kubernetes: the cluster controller (Lease, Rollout watch, evidence ConfigMaps) behind the HTTP
 * API, /metrics and the OTLP receiver, until `untilStopped` resolves (SIGINT/SIGTERM from the CLI). Output goes to
 * `io`.
 */
export async function serveCluster(opts: ServeOptions, io: CliIO, untilStopped: () => Promise<string>): Promise<void> {
  const publicKey = opts.publicKey ? readPublicKeyFile(resolve(io.cwd, opts.publicKey)) : undefined;
  const signHead = await loadHeadSigner(io, opts.evidenceKey, {
    onAbsentEnvKey: (path) =>
      println(
        io.stderr,
        `warning: no evidence key at ${path} ($ADAPTIVE_CANARY_EVIDENCE_KEY; in deploy/, the optional Secret ` +
          'adaptive-canary-evidence-key): evidence heads are written unsigned',
      ),
  });
  const kc = await loadKubeConfig(opts.kubeconfig && resolve(io.cwd, opts.kubeconfig));
  const namespace =
    opts.leaseNamespace ?? io.env.POD_NAMESPACE ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const identity = opts.identity ?? io.env.POD_NAME ?? hostname();
  const otlp = new OtlpReceiver();
  const cluster = new ClusterController({
    kubeConfig: kc,
    identity,
    leaseNamespace: namespace,
    leaseName: opts.leaseName,
    prometheusUrl: opts.prometheusUrl,
    onWarning: (m) => println(io.stderr, `warning: ${m}`),
    env: io.env,
    signatures: { publicKey, allowUnsigned: opts.allowUnsigned === true },
    sources: clusterOtlpSources(otlp),
    ...(opts.evidenceDir ? { evidenceDir: resolve(io.cwd, opts.evidenceDir) } : {}),
    ...(signHead ? { signHead } : {}),
  });
  try {
    await cluster.start();
  } catch (err) {
    throw new UnreachableError('Kubernetes API', (err as Error).message, { cause: err });
  }
  const server = await startServer({
    listen: opts.listen,
    view: cluster.hub,
    registry: cluster.metrics.registry,
    token: io.env.ADAPTIVE_CANARY_TOKEN,
    otlp,
  });
  const stopped = untilStopped();
  println(io.stdout, `serving ${server.url} as ${identity} (lease ${namespace}/${opts.leaseName})`);
  const signal = await stopped;
  println(
    io.stderr,
    `${signal}: stopping; the lease is released so a standby takes over at once (traffic is left as it is)`,
  );
  await cluster.stop();
  await server.close();
}
