/** Number formats shared by the benchmark's report sections. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** A time to detect, or "never". */
export const s = (x: number | null): string => (x === null ? 'never' : `${x}`);
