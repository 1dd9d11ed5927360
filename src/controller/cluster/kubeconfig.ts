import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage, UsageError } from '../../errors.js';

/**
 * A kubeconfig from a file (or client-node's defaults: $KUBECONFIG, ~/.kube/config, the in-cluster service
 * account). A file that is missing, unreadable or names no cluster is the user's to fix: exit 2, not 3.
 */
export async function loadKubeConfig(file?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot load the kubeconfig${file ? ` ${file}` : ''}: ${errorMessage(err)}`, { cause: err });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server)
    throw new UsageError(
      `the kubeconfig${file ? ` ${file}` : ''} has no current context with a ` +
        `cluster server (current-context: "${kc.getCurrentContext()}")`,
    );
  return kc;
}
