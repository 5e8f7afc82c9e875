import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeSweep } from '../analysis/summary.js';
import { syntheticEtaSweep } from '../analysis/synthetic.js';
import type { SweepSpec } from '../sweep/sweep.js';
import { boxesOverlap, checkPage } from '../testing/browser.js';
import { buildPanels, renderReport } from './html.js';

type Trace = { name?: string; x: number[]; line?: { dash?: string }; showlegend?: boolean };

const spec: SweepSpec = { name: 's', title: 'synthetic report', axis: 'eta', quantities: ['q', 'norm_V'], base: {}, grid: {} };
const analysis = analyzeSweep(spec, syntheticEtaSweep({ exitAt: 700, noWallTime: true }), {
  bootstrap: 20,
  ignored: [{ dir: '/runs/other', reason: 'another spec (probeSamples differs)' }],
});
const panels = buildPanels(analysis);
const panel = (id: string) => panels.find((p) => p.id === id)!;

test('unstable runs are dashed past their exit and the in-regime window is marked on the rescaled panels', () => {
  expect(panels.map((p) => p.id)).toEqual(['q', 'norm_V'].flatMap((q) => ['x0', 'x1', 'x2', 'score'].map((s) => `panel-${q}-${s}`)));
  const traces = panel('panel-q-x2').traces as Trace[];
  const dashed = traces.filter((t) => t.line?.dash === 'dash');
  expect(dashed.map((t) => t.name)).toEqual(['η = 0.1: all runs, past the exit']);
  expect(dashed[0].showlegend).toBe(false); // its legend group is the solid η = 0.1 line's
  const win = traces.find((t) => t.name === 'in-regime window end')!;
  expect(win.x[0]).toBeCloseTo(analysis.summary.regime.window.T / 0.1 ** 2, 6); // ×η² panel: t·(η/0.1)²
  expect((panel('panel-q-x0').traces as Trace[]).some((t) => t.name === 'in-regime window end')).toBe(false);
});

test('the prediction line of the score panel has a legend entry; both fits are drawn', () => {
  const names = (panel('panel-q-score').traces as Trace[]).map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['in regime', 'all runs', 'predicted α = 2']));
  expect((panel('panel-q-score').traces as Trace[]).every((t) => t.showlegend !== false)).toBe(true);
});

test('the page states the rule, T*, both fits, the headline, the unstable and ignored runs, and never NaN', () => {
  const html = renderReport(analysis);
  const text = html.slice(0, html.indexOf('<script>')) + html.slice(html.lastIndexOf('<h1>'));
  expect(text).toMatch(/<h2>Small-η regime<\/h2>/);
  expect(text).toMatch(/running training loss \(mean over the last 100 steps\) exceeds 2× its initial loss/);
  expect(text).toMatch(/T\* = \d\.\d\d t·η²/);
  expect(text).toMatch(/in regime \(headline\)/);
  expect(text).toMatch(/all runs, full length/);
  expect(text).toMatch(/4 run\(s\) left the small-η regime/);
  expect(text).toMatch(/seed 0: left the regime at step \d+ of 2000 \(running training loss/);
  expect(text).toMatch(/; in regime: q 0\.\d{3} → 0\.\d{3} \(step \d+\)/);
  expect(text).toMatch(/1 run\(s\) of another spec ignored<\/b>: another spec \(probeSamples differs\)/);
  expect(text).toMatch(/speed not recorded/);
  expect(text).not.toMatch(/NaN/);
});

test('the report opens offline in headless Chromium and draws every trace', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-html-'));
  try {
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderReport(analysis));
    const page = await checkPage(file, panels.length);
    expect(page.errors).toEqual([]);
    expect(page.plotted).toBe(panels.length);
    for (const p of page.panels) expect(p.drawn).toBe(p.traces);
    // the layout fixes of issue 9: the legend below the plot (not beside it), the toolbar over neither the
    // legend nor the tick labels, panel titles on one line
    expect(page.layout).toHaveLength(panels.length);
    for (const l of page.layout) {
      expect(l.plotArea).not.toBeNull();
      if (l.legend) {
        expect(l.legend.top).toBeGreaterThanOrEqual(l.plotArea!.bottom);
        expect(boxesOverlap(l.legend, l.plotArea!)).toBe(false);
      }
      if (l.modebar) {
        if (l.legend) expect(boxesOverlap(l.modebar, l.legend)).toBe(false);
        for (const t of l.yTicks) expect(boxesOverlap(l.modebar, t)).toBe(false);
      }
      expect(l.titleLines).toBeLessThan(1.5);
    }
    // the checks above ran: some panels have a legend, every panel its toolbar and tick labels
    expect(page.layout.some((l) => l.legend !== null)).toBe(true);
    for (const l of page.layout) expect([l.modebar !== null, l.yTicks.length > 0]).toEqual([true, true]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
