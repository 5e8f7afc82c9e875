/**
 * Which initialization the paper used (issue: fidelity). The paper states none, and its Fig. 2 shows
 * η = 0.1 collapsing. This example runs fig2-two-layer's η sweep under each init the library has
 * (PyTorch's default, Glorot uniform, He normal, LeCun normal) and PyTorch's default with V scaled by
 * 0.1, and says which inits keep η = 0.1 in the small-η regime and which reproduce Fig. 2's collapse
 * with η = 0.1 included.
 *
 * Run: `npx thermo run init-study` (writes init-study.html and init-study.json beside the sweeps).
 */
import * as path from 'node:path';
import { initStudyTable } from '../lib/analysis/initStudy.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import type { InitName, RunConfig } from '../lib/core/config.js';
import { writeFileAtomic, writeJsonAtomic } from '../lib/records/files.js';
import { renderPage } from '../lib/report/page.js';
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import type { SweepSpec } from '../lib/sweep/sweep.js';
import { fig2Base } from './fig2-two-layer.js';

/** The inits compared: name, label, init and output scale. */
export const INITS: { name: string; label: string; init: InitName; outputInitScale: number }[] = [
  { name: 'pytorch-default', label: 'PyTorch default', init: 'pytorch-default', outputInitScale: 1 },
  { name: 'glorot-uniform', label: 'Glorot uniform', init: 'glorot-uniform', outputInitScale: 1 },
  { name: 'he-normal', label: 'He normal', init: 'he-normal', outputInitScale: 1 },
  { name: 'lecun-normal', label: 'LeCun normal', init: 'lecun-normal', outputInitScale: 1 },
  { name: 'pytorch-default-v0.1', label: 'PyTorch default with V × 0.1', init: 'pytorch-default', outputInitScale: 0.1 },
];

export const initStudy: ExampleSpec = {
  name: 'init-study',
  figure: 'Fig. 2 (top row), by initialization',
  description: "fig2-two-layer's η sweep under every init (and PyTorch's with V × 0.1): which keep η = 0.1 in the regime and reproduce the collapse",
  defaultSeeds: 8,
  sweeps: ({ quick, seeds }) =>
    INITS.map(
      (i): SweepSpec => ({
        name: `eta-sweep-${i.name}`,
        title: `Init study: ${i.label}, two-layer ReLU (M = N = 100), |B| = 1, η sweep`,
        axis: 'eta',
        quantities: ['activationRate', 'norm_V'],
        base: { ...fig2Base(quick), init: i.init, outputInitScale: i.outputInitScale } as Partial<RunConfig>,
        grid: { eta: [0.025, 0.05, 0.075, 0.1], seed: seedList(seeds) },
        budget: { refSteps: quick ? 400 : 8000, etaRef: 0.1, batchRef: 1 },
      }),
    ),
  summarize: (sweeps, dir) => {
    const inputs = sweeps.map((s, k) => ({ label: INITS[k].label, summary: s.analysis.summary }));
    const tables = ['activationRate', 'norm_V'].map((q) => initStudyTable(inputs, q));
    const html = path.join(dir, 'init-study.html');
    const json = path.join(dir, 'init-study.json');
    writeJsonAtomic(json, { tables: tables.map((t) => ({ quantity: t.quantity, rows: t.rows, text: t.text })) });
    writeFileAtomic(
      html,
      renderPage(
        'Init study: which initialization keeps η = 0.1 in the small-η regime?',
        tables.map((t) => ({
          heading: t.quantity,
          text: [t.text, 'Each init has its own sweep report (rescaling panels, regime, fits) in its directory beside this page.'],
          table: { columns: t.columns, cells: t.cells },
        })),
      ),
    );
    return { files: [html, json], text: tables.map((t) => `   ${t.quantity}: ${t.text}`).join('\n') };
  },
};

export default initStudy;

await runExampleMain(import.meta.url, initStudy);
