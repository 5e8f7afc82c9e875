/**
 * One self-contained HTML report per sweep (plotly.js inlined, so it opens with no network):
 * for each quantity the raw, ×η and ×η² panels (raw and ×1/|B| for batch sweeps) with the
 * seed mean and a ±1 s.d. band per swept value, the collapse score against the exponent, the
 * fitted exponents and the diverged runs in words. Plotting reads records; it never runs in training.
 */
import type { CurveGroup } from '../analysis/curves.js';
import { referenceValue, timeFactor } from '../analysis/rescale.js';
import { PREDICTION, type SweepAnalysis } from '../analysis/summary.js';
import { plotlySource } from './plotly.js';

/** One plot of the page: a div id, plotly traces and layout. */
export interface Panel {
  id: string;
  title: string;
  traces: unknown[];
  layout: Record<string, unknown>;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function hexToRgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Mean line and ±1 s.d. band traces of each group, time multiplied by the group's factor. */
function curveTraces(groups: CurveGroup[], factor: (value: number) => number, label: (v: number) => string): unknown[] {
  const traces: unknown[] = [];
  groups.forEach((g, i) => {
    const color = COLORS[i % COLORS.length];
    const f = factor(g.value);
    const t = g.mean.t.map((x) => x * f);
    const hi = g.mean.y.map((y, k) => y + g.std[k]);
    const lo = g.mean.y.map((y, k) => y - g.std[k]);
    traces.push({
      x: [...t, ...t.slice().reverse()],
      y: [...hi, ...lo.slice().reverse()],
      fill: 'toself',
      fillcolor: hexToRgba(color, 0.18),
      line: { width: 0 },
      hoverinfo: 'skip',
      showlegend: false,
      type: 'scatter',
      mode: 'lines',
    });
    traces.push({ x: t, y: g.mean.y, name: `${label(g.value)} (${g.curves.length} seeds)`, line: { color }, type: 'scatter', mode: 'lines' });
  });
  return traces;
}

/** Whether a quantity spans more than two decades (positive values only): then its axis is logarithmic. */
function logScale(groups: CurveGroup[]): boolean {
  const ys = groups.flatMap((g) => g.mean.y);
  if (ys.length === 0 || ys.some((y) => !(y > 0))) return false;
  return Math.max(...ys) / Math.min(...ys) > 100;
}

/** The panels of a sweep's report. */
export function buildPanels(analysis: SweepAnalysis): Panel[] {
  const { summary } = analysis;
  const axis = summary.axis;
  const pred = PREDICTION[axis];
  const panels: Panel[] = [];
  const rescalings = axis === 'eta' ? [0, 1, 2] : [0, 1];
  const label = (v: number) => (axis === 'eta' ? `η = ${v}` : `|B| = ${v}`);
  for (const q of Object.keys(summary.probes)) {
    const groups = analysis.groups[q] ?? [];
    const ref = groups.length ? referenceValue(axis, groups.map((g) => g.value)) : 1;
    for (const e of rescalings) {
      const name = e === 0 ? 'iterations' : axis === 'eta' ? `iterations × (η/${ref})${e === 1 ? '' : `^${e}`}` : `iterations × ${ref}/|B|`;
      panels.push({
        id: `panel-${q}-x${e}`,
        title: `${q}: ${e === 0 ? 'raw' : axis === 'eta' ? (e === 1 ? '×η' : '×η²') : '×1/|B|'}`,
        traces: curveTraces(groups, (v) => timeFactor(axis, v, ref, e), label),
        layout: { xaxis: { title: { text: name } }, yaxis: { title: { text: q }, type: logScale(groups) ? 'log' : 'linear' } },
      });
    }
    const fit = analysis.fits[q];
    const scoreTraces: unknown[] = fit
      ? [
          { x: fit.scan.exponents, y: fit.scan.scores, name: 'collapse score', type: 'scatter', mode: 'lines' },
          { x: [fit.value], y: [fit.score], name: `best ${pred.symbol} = ${fit.value.toFixed(2)}`, type: 'scatter', mode: 'markers', marker: { size: 10 } },
        ]
      : [];
    panels.push({
      id: `panel-${q}-score`,
      title: `${q}: collapse score against ${pred.symbol}`,
      traces: scoreTraces,
      layout: {
        xaxis: { title: { text: pred.symbol } },
        yaxis: { title: { text: 'residual / total variance' }, rangemode: 'tozero' },
        shapes: [{ type: 'line', x0: pred.predicted, x1: pred.predicted, yref: 'paper', y0: 0, y1: 1, line: { dash: 'dot' } }],
      },
    });
  }
  return panels;
}

/** The full HTML page of a sweep's report. */
export function renderReport(analysis: SweepAnalysis): string {
  const { summary } = analysis;
  const panels = buildPanels(analysis);
  const pred = PREDICTION[summary.axis];
  const verdicts = Object.entries(summary.probes)
    .map(([q, s]) => {
      const scores = Object.entries(s.collapse)
        .map(([k, v]) => `${k === 'fitted' ? 'fitted' : `${pred.symbol}=${k}`}: ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'}`)
        .join(', ');
      return `<li><b>${escapeHtml(q)}</b>: ${escapeHtml(s.verdict)} <br><small>collapse scores (${escapeHtml(scores)})</small></li>`;
    })
    .join('\n');
  const leftOut = summary.leftOut.length
    ? `<p><b>${summary.leftOut.length} run(s) left out of the fits:</b></p><ul>${summary.leftOut
        .map((r) => `<li>η = ${r.eta}, |B| = ${r.batchSize}, seed ${r.seed}: ${escapeHtml(r.state)} at step ${r.step}${r.reason ? ` (${escapeHtml(r.reason)})` : ''}</li>`)
        .join('')}</ul>`
    : '<p>No run diverged or was left out.</p>';
  const divs = panels.map((p) => `<div class="panel"><h3>${escapeHtml(p.title)}</h3><div id="${p.id}" class="plot"></div></div>`).join('\n');
  const data = JSON.stringify(panels.map((p) => ({ id: p.id, traces: p.traces, layout: p.layout }))).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(summary.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1500px}
.grid{display:grid;grid-template-columns:repeat(${summary.axis === 'eta' ? 4 : 3},1fr);gap:8px}
.plot{height:330px}.panel h3{font-size:13px;margin:4px 0}li{margin:.4em 0}</style>
<script>${plotlySource()}</script></head>
<body>
<h1>${escapeHtml(summary.title)}</h1>
<p>Sweep <code>${escapeHtml(summary.sweep)}</code> on backend <code>${escapeHtml(summary.backend)}</code>: ${summary.runs.finished} of ${summary.runs.total} runs finished;
${summary.wallSeconds.toFixed(1)} s of training at ${summary.stepsPerSecond.toFixed(0)} steps/s. Prediction: ${pred.symbol} = ${pred.predicted} (time × ${pred.label}${pred.predicted === 2 ? '²' : ''}).</p>
<h2>Fitted exponents</h2><ul>${verdicts}</ul>
${leftOut}
<div class="grid">${divs}</div>
<script>
const PANELS = ${data};
window.__plotted = 0;
for (const p of PANELS) {
  Plotly.newPlot(p.id, p.traces, Object.assign({margin:{l:55,r:10,t:10,b:45}, legend:{font:{size:10}}}, p.layout), {responsive:true})
    .then(() => { window.__plotted += 1; });
}
</script>
</body></html>
`;
}
