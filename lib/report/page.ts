/**
 * A generic self-contained HTML page (plotly inlined) for reports across an example's sweeps: text
 * sections, tables and line plots. The per-sweep reports (html.ts) hold the rescaling panels.
 */
import { plotlySource } from './plotly.js';
import { escapeHtml } from './sections.js';

/** A line plot: named series of (x, y) points, optionally dashed. */
export interface PagePlot {
  title: string;
  xTitle: string;
  yTitle: string;
  series: { name: string; x: number[]; y: number[]; dash?: boolean; color?: string }[];
}

/** A section of a page. */
export interface PageSection {
  heading: string;
  /** Paragraphs of plain text. */
  text?: string[];
  table?: { columns: string[]; cells: string[][] };
  plots?: PagePlot[];
}

/** The HTML of a page of sections. */
export function renderPage(title: string, sections: PageSection[]): string {
  const plots: { id: string; plot: PagePlot }[] = [];
  const body = sections
    .map((s, i) => {
      const text = (s.text ?? []).map((t) => `<p>${escapeHtml(t)}</p>`).join('\n');
      const table = s.table
        ? `<table><tr>${s.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>${s.table.cells
            .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
            .join('')}</table>`
        : '';
      const divs = (s.plots ?? [])
        .map((p, j) => {
          const id = `plot-${i}-${j}`;
          plots.push({ id, plot: p });
          return `<div class="panel"><h3>${escapeHtml(p.title)}</h3><div id="${id}" class="plot"></div></div>`;
        })
        .join('');
      return `<h2>${escapeHtml(s.heading)}</h2>\n${text}\n${table}${divs ? `<div class="grid">${divs}</div>` : ''}`;
    })
    .join('\n');
  const data = JSON.stringify(
    plots.map(({ id, plot }) => ({
      id,
      traces: plot.series.map((s) => ({ x: s.x, y: s.y, name: s.name, type: 'scatter', mode: 'lines', line: { dash: s.dash ? 'dash' : 'solid', ...(s.color ? { color: s.color } : {}) } })),
      layout: { xaxis: { title: { text: plot.xTitle } }, yaxis: { title: { text: plot.yTitle } } },
    })),
  ).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1500px}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.grid{display:grid;gap:10px;grid-template-columns:repeat(3,minmax(0,1fr))}.plot{height:340px}.panel h3{font-size:13px;margin:4px 0}</style>
<script>${plotlySource()}</script></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<script>
const PLOTS = ${data};
window.__plotted = 0;
for (const p of PLOTS) {
  Plotly.newPlot(p.id, p.traces, Object.assign({margin:{l:55,r:12,t:20,b:40},legend:{orientation:'h',y:-0.25,font:{size:9}},font:{size:11}}, p.layout),
    {responsive:true}).then(() => { window.__plotted += 1; });
}
</script>
</body></html>
`;
}
