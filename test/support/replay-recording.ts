/** Deterministic `replay` recordings for the replay e2e test and bench/replay.bench.ts. */
export const REPLAY_HEADER = {
  kind: 'replay',
  version: 1,
  service: 'maestro-api',
  intervalSeconds: 10,
  latencyBoundsMs: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
};
const LAT = [0, 40, 300, 400, 150, 80, 20, 10, 0, 0, 0];

/** A deterministic recording of `n` intervals; `factor` multiplies the canary's errors. */
export function recording(n: number, factor: number, seed: number): string {
  let x = seed;
  const noise = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 0.4 + 1;
  const lines = [JSON.stringify(REPLAY_HEADER)];
  for (let i = 1; i <= n; i++) {
    const w = i <= 6 ? 10 : i <= 12 ? 25 : 50;
    const b = Math.round(2000 * (1 - w / 100) * noise());
    const c = Math.round(2000 * (w / 100) * noise());
    const hist = (req: number): number[] => LAT.map((v) => Math.round((v * req) / 1000));
    lines.push(
      JSON.stringify({
        t: i * 10,
        weight: w,
        baseline: {
          requests: b,
          errors: Math.round(b * 0.005 * noise()),
          latency: hist(b),
          synthetic: { runs: 5, passed: 5 },
        },
        canary: {
          requests: c,
          errors: Math.round(c * 0.005 * factor * noise()),
          latency: hist(c),
          synthetic: { runs: 5, passed: 5 },
        },
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}
