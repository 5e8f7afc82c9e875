/**
 * One self-contained HTML report per sweep (plotly.js inlined, so it opens with no network): the
 * small-η regime and the headline choice, the fitted exponents (in-regime and all-runs fits), the
 * runs that left the regime or were left out, and the panels (panels.ts). Plotting reads records; it
 * never runs in training.
 */
import { PREDICTION, type SweepAnalysis } from '../analysis/summary.js';
import { formatSpeed } from '../analysis/speed.js';
import { buildPanels } from './panels.js';
import { plotlySource } from './plotly.js';
import { escapeHtml, regimeSection, runsSection, verdictSection } from './sections.js';

export { buildPanels, type Panel } from './panels.js';

/** How to read the panels, shown above them. */
export const PANEL_GUIDE =
  'Lines: seed mean per swept value with a ±1 s.d. band (hover for the number of seeds). ' +
  'Solid: the runs the headline fit uses (each run up to its exit from the small-η regime). ' +
  'Dashed, same color: the seed mean of all runs of that value past its earliest exit. ' +
  'Dotted vertical line on the rescaled panels: end of the common in-regime window at that rescaling; ' +
  'on the score panels: the predicted exponent.';

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1500px}
.grid{display:grid;gap:10px}
.plot{height:380px}.panel h3{font-size:13px;margin:4px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
li{margin:.4em 0}table.fits{border-collapse:collapse;font-size:12px;margin:.3em 0}
table.fits td,table.fits th{border:1px solid #ccc;padding:2px 6px;text-align:left}tr.head{font-weight:600}
p.guide{font-size:12px;color:#444}`;

/** The full HTML page of a sweep's report. */
export function renderReport(analysis: SweepAnalysis): string {
  const { summary } = analysis;
  const panels = buildPanels(analysis);
  const pred = PREDICTION[summary.axis];
  const speed = summary.speed ?? formatSpeed(summary.wallSeconds, summary.stepsPerSecond);
  const columns = summary.axis === 'eta' ? 4 : 3;
  const title = (p: { title: string }) => `<h3 title="${escapeHtml(p.title)}">${escapeHtml(p.title)}</h3>`;
  const divs = panels.map((p) => `<div class="panel">${title(p)}<div id="${p.id}" class="plot"></div></div>`).join('\n');
  const data = JSON.stringify(panels.map((p) => ({ id: p.id, traces: p.traces, layout: p.layout }))).replace(/</g, '\\u003c');
  const base = JSON.stringify({
    margin: { l: 55, r: 12, t: 34, b: 20 },
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.3, yanchor: 'top', font: { size: 9 }, itemwidth: 30, tracegroupgap: 0 },
    font: { size: 11 },
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(summary.title)}</title>
<style>${STYLE}
.grid{grid-template-columns:repeat(${columns},minmax(0,1fr))}</style>
<script>${plotlySource()}</script></head>
<body>
<h1>${escapeHtml(summary.title)}</h1>
<p>Sweep <code>${escapeHtml(summary.sweep)}</code> on backend <code>${escapeHtml(summary.backend)}</code>:
${summary.runs.finished} of ${summary.runs.total} runs finished; ${escapeHtml(speed)}.
Prediction: ${pred.symbol} = ${pred.predicted} (time × ${pred.label}${pred.predicted === 2 ? '²' : ''}).</p>
${regimeSection(summary)}
${verdictSection(summary)}
${runsSection(summary)}
<p class="guide">${escapeHtml(PANEL_GUIDE)}</p>
<div class="grid">${divs}</div>
<script>
const PANELS = ${data};
const BASE = ${base};
window.__plotted = 0;
for (const p of PANELS) {
  const layout = Object.assign({}, BASE, p.layout);
  layout.xaxis = Object.assign({ automargin: true }, p.layout.xaxis);
  layout.yaxis = Object.assign({ automargin: true }, p.layout.yaxis);
  Plotly.newPlot(p.id, p.traces, layout, { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['select2d', 'lasso2d'] })
    .then(() => { window.__plotted += 1; });
}
</script>
</body></html>
`;
}
