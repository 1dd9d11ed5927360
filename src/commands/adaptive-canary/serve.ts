import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { println } from '../../io.js';
import { UnreachableError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

interface Options {
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

export default defineCommand<Options>({
  name: 'serve',
  summary:
    'Run the controller on Kubernetes: drive every Argo Rollout that ' +
    'carries adaptive-canary.dev/policy (leader election with a Lease), ' +
    'serve the API and /metrics',
  options: [
    new Option(
      '--kubeconfig <file>',
      'kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)',
    ),
    new Option('--listen <host:port>', 'HTTP API, analysis endpoint and /metrics').default('127.0.0.1:8080'),
    new Option(
      '--lease-namespace <ns>',
      'namespace of the leader-election Lease (default: $POD_NAMESPACE, else the kubeconfig namespace)',
    ),
    new Option('--lease-name <name>', 'name of the Lease').default('adaptive-canary-controller'),
    new Option('--identity <id>', 'this replica in the Lease (default: $POD_NAME, else the hostname)'),
    new Option('--prometheus-url <url>', 'Prometheus for policies without spec.prometheus.url'),
    new Option(
      '--public-key <file>',
      'cosign public key (e.g. mounted from a Secret): a Rollout whose ' +
        'policy requires signatures (spec.signing.required, the default) is ' +
        'only driven when its cosign.sigstore.dev annotations verify against it',
    ),
    new Option(
      '--allow-unsigned',
      'drive Rollouts that are unsigned or do not verify anyway (warned); ' +
        'without it and without --public-key such Rollouts are left alone',
    ),
    new Option(
      '--evidence-dir <dir>',
      'local working copy of the evidence being written (the record is the ' +
        "ConfigMaps in the Lease's namespace; `evidence pull` brings it home); " +
        'default: a fresh directory under $TMPDIR',
    ),
    new Option(
      '--evidence-key <file>',
      'cosign private key that signs every evidence head.json (password from COSIGN_PASSWORD or a prompt; ' +
        'default: $ADAPTIVE_CANARY_EVIDENCE_KEY); `evidence verify --key` checks the signature',
    ),
  ],
  examples: [
    'adaptive-canary serve --listen 0.0.0.0:8080 --prometheus-url ' +
      'http://prometheus.monitoring:9090 --public-key ' +
      '/etc/adaptive-canary/cosign.pub',
  ],
  async run({ opts, io }) {
    const { loadKubeConfig } = await import('../../controller/cluster/kubeconfig.js');
    const { ClusterController } = await import('../../controller/cluster/cluster-controller.js');
    const { startServer } = await import('../../server/start-server.js');
    const { readPublicKeyFile } = await import('../../supply-chain/key-file-store.js');
    const publicKey = opts.publicKey ? readPublicKeyFile(resolve(io.cwd, opts.publicKey)) : undefined;
    const { loadHeadSigner } = await import('../../supply-chain/evidence-key.js');
    const signHead = await loadHeadSigner(io, opts.evidenceKey);
    const kc = await loadKubeConfig(opts.kubeconfig && resolve(io.cwd, opts.kubeconfig));
    const namespace =
      opts.leaseNamespace ??
      io.env.POD_NAMESPACE ??
      kc.getContextObject(kc.getCurrentContext())?.namespace ??
      'default';
    const identity = opts.identity ?? io.env.POD_NAME ?? hostname();
    const { OtlpReceiver } = await import('../../sources/otlp/receiver.js');
    const { clusterOtlpSources } = await import('../../sources/otlp/from-policy.js');
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
    const stopped = waitForStop();
    println(io.stdout, `serving ${server.url} as ${identity} (lease ${namespace}/${opts.leaseName})`);
    const signal = await stopped;
    println(
      io.stderr,
      `${signal}: stopping; the lease is released so a standby takes over at once (traffic is left as it is)`,
    );
    await cluster.stop();
    await server.close();
    return ExitCode.ok;
  },
});
