/** Pod template hashes of bench rollout i (stable and canary ReplicaSets). */
export function hashes(i: number): { stable: string; canary: string } {
  return { stable: `s${i.toString(36)}`, canary: `c${i.toString(36)}` };
}
