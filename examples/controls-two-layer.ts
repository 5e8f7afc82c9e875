/**
 * Controls: is it the noise? (issue: fidelity). On a fixed training set (so that the full gradient
 * exists), from the same init and seeds, the two-layer net of Fig. 2 (M = N = 100, Gaussian x,
 * random labels, BCE, PyTorch's init) trains under three dynamics:
 * - SGD at |B| = 1 (and 2, 4 at η = 0.05);
 * - full-batch GD at the same η: no noise;
 * - GD plus isotropic Gaussian noise whose per-step variance equals SGD's at the matched |B|
 *   (tr Σ/|B| over the training set, measured at every step): diffusion without state-dependent
 *   variance, for which the theory predicts no thermophoretic drift.
 * The noise-induced drift (SGD minus GD, same seed) of the activation rate, Σb and ‖V‖ over the
 * first T steps is measured against η (4 values) and |B| (3 values) and its exponents fitted; the
 * theory expects η² and 1/|B|. The Soret coefficient's predicted drift of Σb (eq. 11, `soret` probe)
 * is set beside the measured one.
 *
 * Run: `npx thermo run controls-two-layer` (writes controls.html and controls.json beside the sweeps).
 */
import * as path from 'node:path';
import { analyzeControls, type ControlRun, type ScanFits } from '../lib/analysis/controls.js';
import { describeRule, FIT_EXIT_FACTOR, regimeRule } from '../lib/analysis/regime.js';
import { meanCurve, runCurve } from '../lib/analysis/curves.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import type { RunConfig } from '../lib/core/config.js';
import { writeFileAtomic, writeJsonAtomic } from '../lib/records/files.js';
import type { RunData } from '../lib/records/types.js';
import { renderPage, type PagePlot } from '../lib/report/page.js';
import { seedList, type ExampleSpec, type SweepResult } from '../lib/run/example.js';
import type { SweepSpec } from '../lib/sweep/sweep.js';
import { fig2Base } from './fig2-two-layer.js';

/** The swept η (|B| = 1) and |B| (η = ETA_B), the training set's size and T. */
export const CONTROLS = { etas: [0.025, 0.035, 0.05, 0.07], batches: [1, 2, 4], etaB: 0.05, trainSize: 256, steps: 1000 } as const;

/**
 * The regime rule of every control sweep (stored in each sweep.json, so the per-sweep reports and
 * `thermo report` apply it too): on a fixed training set of random labels, fitting them ends the regime.
 */
export const CONTROLS_REGIME = { fitFactor: FIT_EXIT_FACTOR } as const;

/** The quantities whose drift is measured. */
export const DRIFT_QUANTITIES = ['activationRateExact', 'sum_b', 'norm_V'];

/** Which dynamics a control config trains with. */
export function dynamicsOf(cfg: RunConfig): ControlRun['dynamics'] {
  if (cfg.gradientNoise === 'isotropic') return 'gd-noise';
  return cfg.trainSize > 0 && cfg.batchSize === cfg.trainSize ? 'gd' : 'sgd';
}

function sweeps(quick: boolean, seeds: number): SweepSpec[] {
  const n = quick ? 32 : CONTROLS.trainSize;
  const T = quick ? 200 : CONTROLS.steps;
  const base: Partial<RunConfig> = {
    ...fig2Base(quick),
    inputDim: quick ? 20 : 100,
    hidden: quick ? 20 : 100,
    trainSize: n,
    steps: T,
    probeSamples: quick ? 300 : 2000,
    probeLogPoints: quick ? 10 : 30,
    probeLinearPoints: quick ? 5 : 20,
    probes: ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss'],
  };
  const seed = seedList(seeds);
  const q = DRIFT_QUANTITIES;
  const sgdProbes: RunConfig['probes'] = [...(base.probes as RunConfig['probes']), 'soret'];
  const at = (dyn: string) => `controls-two-layer: ${dyn}, fixed training set of ${n}, ${T} steps`;
  const specs: SweepSpec[] = [
    { name: 'sgd-eta', title: at('SGD, |B| = 1, η sweep'), axis: 'eta', quantities: q, base: { ...base, probes: sgdProbes }, grid: { eta: [...CONTROLS.etas], seed } },
    // the noiseless and isotropic-noise controls: the theory predicts no thermophoretic drift, so no η² claim is judged
    { name: 'gd-eta', title: at('full-batch GD, η sweep'), axis: 'eta', quantities: q, judged: [], base: { ...base, batchSize: n }, grid: { eta: [...CONTROLS.etas], seed } },
    {
      name: 'noise-eta',
      title: at('GD + isotropic noise of SGD variance at |B| = 1, η sweep'),
      axis: 'eta',
      quantities: q,
      judged: [],
      base: { ...base, batchSize: n, gradientNoise: 'isotropic', noiseBatchSize: 1 },
      grid: { eta: [...CONTROLS.etas], seed },
    },
    { name: 'sgd-batch', title: at(`SGD, η = ${CONTROLS.etaB}, |B| sweep`), axis: 'batchSize', quantities: q, base: { ...base, eta: CONTROLS.etaB }, grid: { batchSize: [...CONTROLS.batches], seed } },
    ...CONTROLS.batches.slice(1).map(
      (B): SweepSpec => ({
        name: `noise-batch-${B}`,
        title: at(`GD + isotropic noise of SGD variance at |B| = ${B}, η = ${CONTROLS.etaB}`),
        axis: 'eta',
        quantities: q,
        judged: [],
        base: { ...base, batchSize: n, gradientNoise: 'isotropic', noiseBatchSize: B, eta: CONTROLS.etaB },
        grid: { seed },
      }),
    ),
  ];
  return specs.map((spec) => ({ ...spec, regime: CONTROLS_REGIME }));
}

/** A control run of a run directory's data. */
function controlRun(r: RunData): ControlRun {
  const c = r.stored.config;
  return { eta: c.eta, batchSize: c.batchSize, seed: c.seed, dynamics: dynamicsOf(c), noiseBatchSize: c.noiseBatchSize, records: r.records, dir: r.dir };
}

/** The Soret coefficient's predicted change of Σb over [0, T]: ∫ soretDriftB dt over the records (trapezoids). */
export function predictedDriftB(r: RunData, T: number): number {
  const pts = r.records.filter((x) => Number.isFinite(x.soretDriftB) && x.step <= T);
  let sum = 0;
  for (let i = 1; i < pts.length; i++) sum += 0.5 * (pts[i].soretDriftB + pts[i - 1].soretDriftB) * (pts[i].step - pts[i - 1].step);
  return pts.length > 1 && pts[pts.length - 1].step === T ? sum : NaN;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : 'n/a');

function summarize(results: SweepResult[], dir: string) {
  const runs = results.flatMap((s) => s.runs).filter((r) => r.status.state === 'finished' && r.records.length > 1);
  // random labels on a fixed set: a run that has fitted them has left the regime too (regime.ts)
  const analysis = analyzeControls(runs.map(controlRun), { quantities: DRIFT_QUANTITIES, regime: CONTROLS_REGIME });
  const T = analysis.steps;
  // the Soret prediction beside the measured noise-induced drift of Σb, per η at |B| = 1
  const sgd1 = runs.filter((r) => dynamicsOf(r.stored.config) === 'sgd' && r.stored.config.batchSize === 1);
  const etas = [...new Set(sgd1.map((r) => r.stored.config.eta))].sort((a, b) => a - b);
  const cells = analysis.quantities.sum_b?.cells ?? [];
  const soret = etas.map((eta) => {
    const pred = sgd1.filter((r) => r.stored.config.eta === eta).map((r) => predictedDriftB(r, T)).filter(Number.isFinite);
    const mean = pred.reduce((a, b) => a + b, 0) / Math.max(1, pred.length);
    const cell = cells.find((c) => c.eta === eta && c.batchSize === 1);
    return { eta, predicted: pred.length ? mean : NaN, measured: cell?.noiseInduced ?? null, isotropic: cell?.isotropic ?? null };
  });
  // the three dynamics side by side: seed-mean curves at η = ETA_B
  const plots: PagePlot[] = DRIFT_QUANTITIES.map((q) => ({
    title: `${q} at η = ${CONTROLS.etaB}, |B| = 1 (SGD) — GD — GD + isotropic noise`,
    xTitle: 'step',
    yTitle: q,
    series: (['sgd', 'gd', 'gd-noise'] as const).map((dyn, k) => {
      const matching = runs.filter((r) => {
        const c = r.stored.config;
        return c.eta === CONTROLS.etaB && dynamicsOf(c) === dyn && (dyn === 'gd' || (dyn === 'sgd' ? c.batchSize : c.noiseBatchSize) === 1);
      });
      // η = ETA_B, |B| = 1 is in both SGD sweeps (the same seeds): each seed once
      const mine = matching.filter((r, i) => matching.findIndex((o) => o.stored.config.seed === r.stored.config.seed) === i);
      const m = meanCurve(mine.map((r) => runCurve(r, q))).mean;
      return { name: `${dyn} (${mine.length} seeds)`, x: m.t, y: m.y, color: ['#1f77b4', '#2ca02c', '#d62728'][k], dash: dyn === 'gd-noise' };
    }),
  }));
  const html = path.join(dir, 'controls.html');
  const json = path.join(dir, 'controls.json');
  writeJsonAtomic(json, { steps: T, window: analysis.window, scan: analysis.scan, exits: analysis.exits, quantities: analysis.quantities, soret });
  const fitCell = (f: ScanFits['a']) => (f ? `${f3(f.exponent)} [${f3(f.ci[0])}, ${f3(f.ci[1])}]` : 'n/a');
  const scanTable = {
    columns: ['T (steps)', 'in regime', ...DRIFT_QUANTITIES.flatMap((q) => [`${q}: a (η^a)`, `${q}: c (|B|^−c)`])],
    cells: analysis.scan.map((p) => [
      String(p.steps),
      p.inRegime ? 'yes' : 'no',
      ...DRIFT_QUANTITIES.flatMap((q) => [fitCell(p.quantities[q]?.a ?? null), fitCell(p.quantities[q]?.c ?? null)]),
    ]),
  };
  const driftTable = (q: string) => ({
    columns: ['η', '|B|', 'seeds', 'SGD drift', 'GD drift', 'GD + noise drift', 'SGD − GD (noise-induced)', '(GD + noise) − GD'],
    cells: (analysis.quantities[q]?.cells ?? []).map((c) => [
      String(c.eta),
      String(c.batchSize),
      String(c.seeds.length),
      est(c.sgd),
      est(c.gd),
      c.gdNoise ? est(c.gdNoise) : 'n/a',
      est(c.noiseInduced),
      c.isotropic ? est(c.isotropic) : 'n/a',
    ]),
  });
  writeFileAtomic(
    html,
    renderPage(`Controls: is it the noise? Drift over the first ${T} steps`, [
      { heading: 'T, the window of the drift', text: [`${analysis.window}.`, `Regime rule: ${describeRule(regimeRule(CONTROLS_REGIME))}.`] },
      { heading: 'The three dynamics side by side', text: ['SGD (|B| = 1), full-batch GD and GD plus isotropic noise of SGD\'s per-step variance, from the same init and seeds.'], plots },
      ...DRIFT_QUANTITIES.map((q) => ({ heading: `Drift of ${q}`, text: [analysis.quantities[q]?.verdict ?? ''], table: driftTable(q) })),
      {
        heading: 'The exponents against T',
        text: ['The fits of the noise-induced drift (SGD − GD) at other T, to show how much they depend on it; "in regime": before the first run leaves the regime.'],
        table: scanTable,
      },
      {
        heading: 'Soret coefficient (eq. 11) against the measured drift of Σb',
        text: [
          'Predicted: ∫₀ᵀ Σᵢ 2cᵢ·g_b,ᵢ/|gᵢ| dt from the soret probe of the SGD runs (|B| = 1), seed mean. Measured: SGD − GD, seed mean [95% interval].',
        ],
        table: { columns: ['η', 'predicted ΔΣb', 'measured SGD − GD', '(GD + noise) − GD'], cells: soret.map((s) => [String(s.eta), f3(s.predicted), s.measured ? est(s.measured) : 'n/a', s.isotropic ? est(s.isotropic) : 'n/a']) },
      },
    ]),
  );
  const scanText = DRIFT_QUANTITIES.map((q) => {
    const pts = analysis.scan.map((p) => `${p.steps}${p.inRegime ? '' : '*'}: ${f3(p.quantities[q]?.a?.exponent ?? NaN)}/${f3(p.quantities[q]?.c?.exponent ?? NaN)}`);
    return `   ${q}: a/c against T (* past the window): ${pts.join(', ')}`;
  });
  const text = [`   ${analysis.window}.`, ...DRIFT_QUANTITIES.map((q) => `   ${q}: ${analysis.quantities[q]?.verdict ?? 'no analysis'}`), ...scanText].join('\n');
  return { files: [html, json], text };
}

const est = (e: { mean: number; ci: [number, number]; n: number } | null) => (e && e.n ? `${f3(e.mean)} [${f3(e.ci[0])}, ${f3(e.ci[1])}]` : 'n/a');

export const controlsTwoLayer: ExampleSpec = {
  name: 'controls-two-layer',
  figure: 'controls for Fig. 2 (top row)',
  description: 'SGD vs full-batch GD vs GD + isotropic noise of SGD variance: is the drift noise-induced, and does it follow η²/|B|?',
  defaultSeeds: 8,
  sweeps: ({ quick, seeds }) => sweeps(quick, seeds),
  summarize,
};

export default controlsTwoLayer;

await runExampleMain(import.meta.url, controlsTwoLayer);
