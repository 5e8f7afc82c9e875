/**
 * The plotly panels of a sweep's report: per quantity the raw and rescaled time panels (seed mean with
 * a ±1 s.d. band per swept value) and the collapse score against the exponent. Runs that leave the
 * small-η regime: the in-regime part (what the headline fit uses) is solid, the all-runs seed mean past
 * the earliest exit of that value is dashed, and a dotted vertical line marks the end of the common
 * in-regime window at each panel's rescaling.
 */
import type { CurveGroup } from '../analysis/curves.js';
import type { ExponentFit } from '../analysis/fit.js';
import { referenceValue, timeFactor } from '../analysis/rescale.js';
import { PREDICTION, type SweepAnalysis } from '../analysis/summary.js';

/** One plot of the page: a div id, a short title, plotly traces and layout. */
export interface Panel {
  id: string;
  title: string;
  traces: unknown[];
  layout: Record<string, unknown>;
}

/** Line colors, one per swept value. */
export const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function hexToRgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Whether a quantity spans more than two decades (positive values only): then its axis is logarithmic. */
function logScale(groups: CurveGroup[]): boolean {
  const ys = groups.flatMap((g) => g.mean.y);
  if (ys.length === 0 || ys.some((y) => !(y > 0))) return false;
  return Math.max(...ys) / Math.min(...ys) > 100;
}

interface PanelInput {
  /** Groups drawn solid (the headline's runs). */
  solid: CurveGroup[];
  /** All-runs groups, drawn dashed past the solid curve's end where the value has unstable runs. */
  dashed: CurveGroup[];
  /** Swept values with runs that left the regime. */
  unstableValues: Set<number>;
  label: (v: number) => string;
}

/** Band, mean and (for unstable values) dashed continuation traces, time multiplied by each value's factor. */
function curveTraces(input: PanelInput, factor: (value: number) => number): unknown[] {
  const traces: unknown[] = [];
  const values = [...new Set([...input.solid, ...input.dashed].map((g) => g.value))].sort((a, b) => a - b);
  values.forEach((value, i) => {
    const color = COLORS[i % COLORS.length];
    const f = factor(value);
    const g = input.solid.find((x) => x.value === value);
    const legendgroup = `v${value}`;
    let end = -Infinity;
    if (g && g.mean.t.length) {
      const t = g.mean.t.map((x) => x * f);
      end = g.mean.t[g.mean.t.length - 1];
      traces.push({
        x: [...t, ...t.slice().reverse()],
        y: [...g.mean.y.map((y, k) => y + g.std[k]), ...g.mean.y.map((y, k) => y - g.std[k]).reverse()],
        fill: 'toself',
        fillcolor: hexToRgba(color, 0.18),
        line: { width: 0 },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup,
        type: 'scatter',
        mode: 'lines',
      });
      const seeds = `${g.curves.length} seed${g.curves.length === 1 ? '' : 's'}`;
      const line = { color, width: 2 };
      traces.push({ x: t, y: g.mean.y, name: input.label(value), legendgroup, line, type: 'scatter', mode: 'lines', hovertext: seeds });
    }
    const d = input.dashed.find((x) => x.value === value);
    if (d && input.unstableValues.has(value)) {
      const keep = d.mean.t.map((t, k) => [t, d.mean.y[k]] as const).filter(([t]) => t >= end);
      if (keep.length >= 2) {
        traces.push({
          x: keep.map(([t]) => t * f),
          y: keep.map(([, y]) => y),
          name: `${input.label(value)}: all runs, past the exit`,
          legendgroup,
          showlegend: !g,
          line: { color, width: 1.5, dash: 'dash' },
          type: 'scatter',
          mode: 'lines',
        });
      }
    }
  });
  return traces;
}

/** Dotted vertical line (a trace, so it has a legend entry) at x from y0 to y1. */
function vline(x: number, y0: number, y1: number, name: string, color = '#555'): unknown {
  return { x: [x, x], y: [y0, y1], name, type: 'scatter', mode: 'lines', line: { color, width: 1.5, dash: 'dot' }, hoverinfo: 'name' };
}

function yRange(groups: CurveGroup[], log: boolean): [number, number] {
  const band = (g: CurveGroup) => g.mean.y.flatMap((y, k) => (log ? [y] : [y - g.std[k], y + g.std[k]]));
  const ys = groups.flatMap(band).filter(Number.isFinite);
  return ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
}

interface ScoreLine {
  fit: ExponentFit | null | undefined;
  name: string;
  color: string;
  dash?: string;
}

/** The score-against-exponent line of a fit and a marker at its best exponent. */
function scoreTraces(l: ScoreLine, symbol: string): unknown[] {
  if (!l.fit) return [];
  const { fit, name, color, dash } = l;
  const line = { color, dash, width: dash ? 1.5 : 2 };
  return [
    { x: fit.scan.exponents, y: fit.scan.scores, name, type: 'scatter', mode: 'lines', line },
    { x: [fit.value], y: [fit.score], name: `best ${symbol} = ${fit.value.toFixed(2)}`, mode: 'markers', marker: { color } },
  ];
}

/** The collapse score against the exponent: the headline fit solid, the all-runs fit dashed, the prediction dotted. */
function scorePanel(analysis: SweepAnalysis, q: string, regimeOn: boolean): Panel {
  const pred = PREDICTION[analysis.summary.axis];
  const headline = analysis.summary.probes[q].headline ?? 'inRegime';
  const headFit = (headline === 'inRegime' ? analysis.inRegime?.fits[q] : analysis.all?.fits[q]) ?? analysis.fits[q];
  const name = regimeOn ? (headline === 'inRegime' ? 'in regime' : 'all runs') : 'collapse score';
  const otherFit = headline === 'inRegime' && regimeOn ? analysis.all?.fits[q] : null;
  const traces = [
    ...scoreTraces({ fit: headFit, name, color: COLORS[0] }, pred.symbol),
    ...scoreTraces({ fit: otherFit, name: 'all runs', color: COLORS[7], dash: 'dash' }, pred.symbol),
    vline(pred.predicted, 0, 1, `predicted ${pred.symbol} = ${pred.predicted}`, '#000'),
  ];
  return {
    id: `panel-${q}-score`,
    title: `${q} · collapse score vs ${pred.symbol}`,
    traces,
    layout: { xaxis: { title: { text: pred.symbol } }, yaxis: { title: { text: 'residual / total var.' }, rangemode: 'tozero' } },
  };
}

/** The raw and rescaled time panels of one quantity. */
function curvePanels(analysis: SweepAnalysis, q: string, regimeOn: boolean): Panel[] {
  const { summary } = analysis;
  const axis = summary.axis;
  const sym = axis === 'eta' ? 'η' : '|B|';
  const headline = summary.probes[q].headline ?? 'inRegime';
  const all = analysis.all?.groups[q] ?? analysis.groups[q] ?? [];
  const inReg = analysis.inRegime?.groups[q] ?? null;
  const solid = headline === 'inRegime' && inReg ? inReg : all;
  const unstableValues = new Set(summary.unstable.map((u) => (axis === 'eta' ? u.eta : u.batchSize)));
  const input: PanelInput = { solid, dashed: regimeOn ? all : [], unstableValues, label: (v) => `${sym} = ${v}` };
  const values = [...new Set(all.map((g) => g.value))];
  const ref = values.length ? referenceValue(axis, values) : 1;
  const log = logScale(all);
  const [y0, y1] = yRange(all, log);
  return (axis === 'eta' ? [0, 1, 2] : [0, 1]).map((e) => {
    const x = e === 0 ? 'steps t' : axis === 'eta' ? `t·(η/${ref})${e === 1 ? '' : '²'}` : `t·${ref}/|B|`;
    const traces = curveTraces(input, (v) => timeFactor(axis, v, ref, e));
    if (regimeOn && e > 0 && solid === inReg && solid.length) {
      const ends = solid.map((g) => (g.mean.t[g.mean.t.length - 1] ?? 0) * timeFactor(axis, g.value, ref, e));
      traces.push(vline(Math.min(...ends), y0, y1, 'in-regime window end'));
    }
    return {
      id: `panel-${q}-x${e}`,
      title: `${q} · ${e === 0 ? 'raw steps' : axis === 'eta' ? (e === 1 ? '×η' : '×η²') : '×1/|B|'}`,
      traces,
      layout: { xaxis: { title: { text: x } }, yaxis: { title: { text: q }, type: log ? 'log' : 'linear' } },
    };
  });
}

/** The panels of a sweep's report: per quantity the time panels, then the score panel. */
export function buildPanels(analysis: SweepAnalysis): Panel[] {
  const regimeOn = analysis.summary.regime?.mode !== undefined && analysis.summary.regime.mode !== 'none';
  return Object.keys(analysis.summary.probes).flatMap((q) => [...curvePanels(analysis, q, regimeOn), scorePanel(analysis, q, regimeOn)]);
}
