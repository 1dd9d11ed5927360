import { Option } from 'commander';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { ExitCode } from '../../exit-codes.js';
import type { ServeOptions } from '../../app/serve/serve-cluster.js';

export default defineCommand<ServeOptions>({
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
        'default: $ADAPTIVE_CANARY_EVIDENCE_KEY, where a file that does not exist means no key, warned); ' +
        '`evidence verify --key` checks the signature',
    ),
  ],
  examples: [
    'adaptive-canary serve --listen 0.0.0.0:8080 --prometheus-url ' +
      'http://prometheus.monitoring:9090 --public-key ' +
      '/etc/adaptive-canary/cosign.pub',
  ],
  async run({ opts, io }) {
    const { serveCluster } = await import('../../app/serve/serve-cluster.js');
    await serveCluster(opts, io, waitForStop);
    return ExitCode.ok;
  },
});
