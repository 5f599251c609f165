// The learning curve as a standalone SVG document: training (and validation) cost against epoch,
// with axes, ticks, axis labels, a legend, a <title> and a <desc>. Tick positions come from d3-array
// (ticks, nice); the markup is written here. Pure: returns a string, writes no file.
import { nice, ticks } from 'd3-array';

export interface Series {
  name: string;
  /** [epoch, cost] pairs, epochs increasing. */
  points: [number, number][];
}

const WIDTH = 720, HEIGHT = 440;
const MARGIN = { top: 48, right: 24, bottom: 56, left: 72 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c'];
const DASHES = ['', '6 4', '2 3'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Short tick labels: 0.25, 1.5, 2e-4, 1.2e+3, as few digits as the tick step needs. */
function tickLabel(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / a) - 1e-9)))).replace(/\.?0+e/, 'e');
  const digits = Math.max(0, Math.min(8, Math.ceil(-Math.log10(step) - 1e-9)));
  return v.toFixed(digits);
}

/**
 * An SVG line chart of the series (one line each, the first solid, the others dashed).
 * @param series - at least one series with at least one point; non-finite costs are left out
 * @param options.title - the chart's title (also its <title>)
 * @param options.marker - a vertical line at x with a label (the best epoch of early stopping)
 * @returns the SVG document text
 */
export function learningCurveSvg(series: Series[], options: { title?: string; xLabel?: string; yLabel?: string; marker?: { x: number; label: string } } = {}): string {
  const title = options.title ?? 'Learning curve', xLabel = options.xLabel ?? 'epoch', yLabel = options.yLabel ?? 'cost';
  const clean = series.map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) })).filter((s) => s.points.length > 0);
  const xs = clean.flatMap((s) => s.points.map((p) => p[0])), ys = clean.flatMap((s) => s.points.map((p) => p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) x1 = x0 + 1;
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  if (y0 === y1) y1 = y0 + 1;
  [x0, x1] = nice(x0, x1, 8);
  [y0, y1] = nice(y0, y1, 6);
  const pw = WIDTH - MARGIN.left - MARGIN.right, ph = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => MARGIN.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const f = (v: number) => v.toFixed(2);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  const desc = clean.map((s) => {
    const last = s.points.at(-1)!;
    return `${s.name}: ${s.points.length} points, from ${s.points[0]![1].toPrecision(4)} at ${xLabel} ${s.points[0]![0]} to ${last[1].toPrecision(4)} at ${xLabel} ${last[0]}`;
  }).join('; ');
  out.push(`<title>${escapeXml(title)}</title>`, `<desc>${escapeXml(`${yLabel} against ${xLabel}. ${desc}.`)}</desc>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  // Grid, ticks and tick labels.
  const xt = ticks(x0, x1, 8), yt = ticks(y0, y1, 6);
  const xStep = xt.length > 1 ? xt[1]! - xt[0]! : 1, yStep = yt.length > 1 ? yt[1]! - yt[0]! : 1;
  out.push('<g class="grid" stroke="#e5e5e5" stroke-width="1">');
  for (const t of yt) out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${f(sy(t))}" y2="${f(sy(t))}"/>`);
  for (const t of xt) out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + ph}"/>`);
  out.push('</g>');
  out.push(`<g class="x-axis" stroke="black"><line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${MARGIN.top + ph}" y2="${MARGIN.top + ph}"/>`);
  for (const t of xt) {
    out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${MARGIN.top + ph}" y2="${MARGIN.top + ph + 6}"/>`);
    out.push(`<text stroke="none" x="${f(sx(t))}" y="${MARGIN.top + ph + 20}" text-anchor="middle">${tickLabel(t, xStep)}</text>`);
  }
  out.push(`<text stroke="none" x="${MARGIN.left + pw / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="13">${escapeXml(xLabel)}</text></g>`);
  out.push(`<g class="y-axis" stroke="black"><line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + ph}"/>`);
  for (const t of yt) {
    out.push(`<line x1="${MARGIN.left - 6}" x2="${MARGIN.left}" y1="${f(sy(t))}" y2="${f(sy(t))}"/>`);
    out.push(`<text stroke="none" x="${MARGIN.left - 10}" y="${f(sy(t) + 4)}" text-anchor="end">${tickLabel(t, yStep)}</text>`);
  }
  out.push(`<text stroke="none" transform="translate(18 ${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(yLabel)}</text></g>`);
  // The marker (under the series), then the series.
  const mk = options.marker;
  if (mk && Number.isFinite(mk.x) && mk.x >= x0 && mk.x <= x1) {
    const x = f(sx(mk.x));
    out.push(`<g class="marker"><line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + ph}" stroke="#666" stroke-width="1" stroke-dasharray="3 3"/>`);
    // Below the legend (top right), left of the line: clear of the curves, which fall towards the bottom.
    out.push(`<text x="${f(sx(mk.x) - 4)}" y="${MARGIN.top + 40 + 20 * clean.length}" text-anchor="end" fill="#444">${escapeXml(mk.label)}</text></g>`);
  }
  clean.forEach((s, k) => {
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${f(sx(x))},${f(sy(y))}`).join(' ');
    const dash = DASHES[k % DASHES.length] ? ` stroke-dasharray="${DASHES[k % DASHES.length]}"` : '';
    out.push(`<path class="series" data-name="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2"${dash}/>`);
    if (s.points.length === 1) out.push(`<circle cx="${f(sx(s.points[0]![0]))}" cy="${f(sy(s.points[0]![1]))}" r="3" fill="${COLORS[k % COLORS.length]}"/>`);
  });
  // Legend, top right inside the plot area.
  const lw = 24 + 8 + 7.2 * Math.max(...clean.map((s) => s.name.length)) + 16, lh = 10 + 20 * clean.length;
  const lx = MARGIN.left + pw - lw - 8, ly = MARGIN.top + 8;
  out.push(`<g class="legend"><rect x="${f(lx)}" y="${ly}" width="${f(lw)}" height="${lh}" fill="white" fill-opacity="0.9" stroke="#999"/>`);
  clean.forEach((s, k) => {
    const y = ly + 15 + 20 * k;
    const dash = DASHES[k % DASHES.length] ? ` stroke-dasharray="${DASHES[k % DASHES.length]}"` : '';
    out.push(`<line x1="${f(lx + 8)}" x2="${f(lx + 32)}" y1="${y}" y2="${y}" stroke="${COLORS[k % COLORS.length]}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${f(lx + 40)}" y="${y + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</g>', '</svg>');
  return out.join('\n') + '\n';
}
