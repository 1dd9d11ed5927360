// Tiny DOM helpers. Every value from the API goes through textContent, never innerHTML: reasons and ids are
// data, not markup.

/** @param {string} id */
export const $ = (id) => {
  const node = document.querySelector(`[data-testid="${id}"]`);
  if (!node) throw new Error(`dashboard markup lacks ${id}`);
  return node;
};

/**
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string>}} [opts]
 * @param {Node[]} [children]
 */
export function el(tag, opts = {}, children = []) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined) node.textContent = opts.text;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** @param {number | null | undefined} x */
export const pct = (x, digits = 1) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);

/** @param {number | null | undefined} x */
export const num = (x, digits = 2) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));

/** @param {number | null | undefined} seconds */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  // Local rollbacks take well under a millisecond; show them as measured, not as "0.0 s".
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 3 : 0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** @param {string} iso */
export const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });

/** @param {string} value */
export const badge = (value) => el('span', { className: `badge ${value}`, text: value });
