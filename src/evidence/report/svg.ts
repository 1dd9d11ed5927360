/** Tiny inline SVG charts for the self-contained HTML report: no library, no external assets. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface Bar {
  label: string;
  value: number;
  /** CSS class: ok, bad, neutral. */
  tone: 'ok' | 'bad' | 'neutral';
  title?: string;
}

/**
 * Horizontal bars with an optional reference line (a target or limit). `log` spreads values that differ by
 * orders of magnitude (a 0.4 s rollback next to a 5-minute target).
 */
export function barChart(
  bars: Bar[],
  opts: { unit: string; reference?: { value: number; label: string }; log?: boolean; title: string },
): string {
  const rowH = 22;
  const left = 180;
  const width = 640;
  const plotW = width - left - 60;
  const height = Math.max(1, bars.length) * rowH + 40;
  const values = [...bars.map((b) => b.value), opts.reference?.value ?? 0].filter((v) => v > 0);
  const max = Math.max(...values, 1e-9);
  const min = opts.log ? Math.min(...values, max) / 2 : 0;
  const x = (v: number): number => {
    if (!opts.log) return left + (v / max) * plotW;
    const lo = Math.log10(Math.max(min, 1e-9));
    const hi = Math.log10(max * 1.2);
    return left + ((Math.log10(Math.max(v, min)) - lo) / (hi - lo || 1)) * plotW;
  };
  const rows = bars.map((b, i) => {
    const y = 20 + i * rowH;
    return (
      `<g><title>${esc(b.title ?? `${b.label}: ${b.value} ${opts.unit}`)}` +
      `</title><text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}` +
      `</text><rect class="${b.tone}" x="${left}" y="${y + 3}" width="${Math.max(1, x(b.value) - left).toFixed(1)}` +
      `" height="${rowH - 6}"/><text x="${(x(b.value) + 4).toFixed(1)}" y="${y + 14}` +
      `">${esc(fmt(b.value))} ${esc(opts.unit)}</text></g>`
    );
  });
  const ref = opts.reference
    ? `<line class="ref" x1="${x(opts.reference.value).toFixed(1)}" x2="${x(opts.reference.value).toFixed(1)}` +
      `" y1="12" y2="${height - 14}"/><text class="ref" x="${x(opts.reference.value).toFixed(1)}` +
      `" y="10" text-anchor="middle">${esc(opts.reference.label)}</text>`
    : '';
  const empty = bars.length === 0 ? `<text x="${left}" y="36">no data</text>` : '';
  return (
    `<svg role="img" aria-label="${esc(opts.title)}" viewBox="0 0 ${width} ${height}` +
    `" width="${width}" height="${height}">${rows.join('')}${ref}${empty}` +
    `</svg>`
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}
