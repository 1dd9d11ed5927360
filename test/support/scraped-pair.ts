import { startMaestroApi, type MaestroApi, type MaestroApiOptions } from '../../src/demo/maestro-api.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from './prometheus-process.js';

/** The pod template hashes the Argo simulator gives the stable and canary ReplicaSets in the serve tests. */
export const STABLE_HASH = 'st4b1e';
export const CANARY_HASH = 'c4n4ry';

export interface TrafficRequest {
  path: string;
  method?: string;
  body?: string;
}

/**
 * Three requests to stable for every one to the canary, every 10 ms, as a 25% canary weight would route them; errors
 * are ignored (the services count them). Returns the function that stops it.
 */
export function startTraffic(stable: MaestroApi, canary: MaestroApi, request: TrafficRequest): () => void {
  const timer = setInterval(() => {
    for (const u of [stable.url, stable.url, stable.url, canary.url])
      void fetch(`${u}${request.path}`, { method: request.method ?? 'GET', body: request.body })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
  }, 10);
  return () => clearInterval(timer);
}

export interface ScrapedPair {
  stable: MaestroApi;
  canary: MaestroApi;
  prom: PrometheusProcess;
  stop(): Promise<void>;
}

/**
 * Stable 1.4.0 and a canary 1.5.0 (with `canaryOptions`, e.g. faults) of the sample service, a real Prometheus
 * scraping each as its Argo ReplicaSet (labelled with its pod template hash, as the pod's label would be), and
 * traffic to both: what `serve` reads on a cluster.
 */
export async function startScrapedPair(
  request: TrafficRequest,
  canaryOptions: Omit<MaestroApiOptions, 'version'> = {},
): Promise<ScrapedPair> {
  const stable = await startMaestroApi({ version: '1.4.0' });
  const canary = await startMaestroApi({ version: '1.5.0', ...canaryOptions });
  const prom = await startPrometheus([
    { job: 'stable', targets: [new URL(stable.url).host], labels: { rollouts_pod_template_hash: STABLE_HASH } },
    { job: 'canary', targets: [new URL(canary.url).host], labels: { rollouts_pod_template_hash: CANARY_HASH } },
  ]);
  await waitForScrapeAfter(prom.url, Date.now());
  const stopTraffic = startTraffic(stable, canary, request);
  return {
    stable,
    canary,
    prom,
    async stop() {
      stopTraffic();
      await prom.stop();
      await stable.close();
      await canary.close();
    },
  };
}
