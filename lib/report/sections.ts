/**
 * The text sections of a sweep's report: the small-η regime (rule, window T*, headline and why), the
 * fitted exponents with both fits side by side, and the runs that left the regime, were left out, or
 * belonged to another spec. Every number goes through {@link num}, which never prints NaN.
 */
import { LEARN_RATIONALE, REGIME_RATIONALE } from '../analysis/regime.js';
import { PREDICTION, type FitSummary, type SweepSummary } from '../analysis/summary.js';

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A number with `d` decimals, or "n/a" (never "NaN"). */
export function num(x: number | null | undefined, d = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a';
}

/** The regime rule, the in-regime window and which fit is the headline. */
export function regimeSection(s: SweepSummary): string {
  const r = s.regime;
  if (!r) return '';
  const w = r.mode === 'exclude' && r.fallbackWindow ? r.fallbackWindow : r.window;
  const T = `T* = ${Number.isFinite(w.T) ? w.T.toPrecision(3) : 'n/a'} ${escapeHtml(w.units)}`;
  const short = `The common window of the truncated runs was too short (${r.window.points} records for some value, ` +
    `fewer than ${r.window.minPoints})`;
  const mode = {
    none: 'No run left the regime.',
    truncate: `Common in-regime window: <b>${T}</b> (dotted vertical line on the rescaled panels); runs that left are dashed past it.`,
    exclude: `${short}: the in-regime fit leaves the unstable runs out whole (window of the rest: ${T}).`,
  }[r.mode];
  const head = r.headline === 'inRegime' ? 'in-regime' : 'all-runs';
  const learn = r.options?.learnDrop ? ` ${escapeHtml(LEARN_RATIONALE)}` : '';
  return `<h2>Small-η regime</h2>
<p><b>Rule:</b> ${escapeHtml(r.rule)}. ${escapeHtml(REGIME_RATIONALE)}${learn}</p>
<p>${mode} <b>Headline:</b> the ${head} fit, because ${escapeHtml(r.headlineReason)}.</p>`;
}

function fitRow(name: string, f: FitSummary | null, symbol: string, headline: boolean, named: string[]): string {
  if (!f) return `<tr><td>${name}</td><td colspan="${4 + named.length}">no fit</td></tr>`;
  const e = f.exponent;
  const cells = [
    `${name}${headline ? ' (headline)' : ''}`,
    String(f.runs),
    `${symbol} = ${e ? `${num(e.value, 2)} [${num(e.ci[0], 2)}, ${num(e.ci[1], 2)}]` : 'n/a'}`,
    escapeHtml(f.claim),
    ...named.map((k) => num(f.collapse[k])),
    num(f.collapse.fitted),
  ];
  return `<tr${headline ? ' class="head"' : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** Per quantity: the headline verdict and a table of both fits. */
export function verdictSection(s: SweepSummary): string {
  const pred = PREDICTION[s.axis];
  const named = s.axis === 'eta' ? ['0', '1', '2'] : ['0', '1'];
  const heads = ['fit', 'runs', 'exponent [95%]', 'claim', ...named.map((k) => `score ${pred.symbol}=${k}`), 'score fitted'];
  const head = `<tr>${heads.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  const items = Object.entries(s.probes).map(([q, p]) => {
    const fits = p.fits;
    let rows = '';
    if (fits && fits.inRegime !== fits.all) {
      rows = fitRow('in regime', fits.inRegime, pred.symbol, p.headline === 'inRegime', named);
      rows += fitRow('all runs, full length', fits.all, pred.symbol, p.headline === 'all', named);
    } else if (fits) rows = fitRow('all runs (all in regime)', fits.all, pred.symbol, true, named);
    return `<li><b>${escapeHtml(q)}</b>: ${escapeHtml(p.verdict)}<table class="fits">${head}${rows}</table></li>`;
  });
  return `<h2>Fitted exponents</h2><ul>${items.join('\n')}</ul>`;
}

const where = (r: { eta: number; batchSize: number; seed: number }) => `η = ${r.eta}, |B| = ${r.batchSize}, seed ${r.seed}`;

/** Runs that left the regime, runs left out of every fit, and runs of another spec that were ignored. */
export function runsSection(s: SweepSummary): string {
  const out: string[] = [];
  const unstable = s.unstable ?? [];
  if (unstable.length) {
    const own = (r: (typeof unstable)[number]) =>
      Object.entries(r.changes ?? {}).map(([q, c]) => `${escapeHtml(q)} ${num(c.from)} → ${num(c.to)} (step ${c.toStep})`).join(', ');
    const items = unstable.map((r) => {
      const changes = own(r);
      return `<li>${where(r)}: left the regime at step ${r.step} of ${r.lastStep} (${escapeHtml(r.reason)})${changes ? `; in regime: ${changes}` : ''}</li>`;
    });
    const use = s.regime?.mode === 'exclude' ? 'left out of the in-regime fit' : 'the in-regime fit uses them up to their exit';
    const what = `<b>${unstable.length} run(s) left the small-η regime</b> (records kept; ${use}; dashed past the exit)`;
    out.push(`<p>${what}:</p><ul>${items.join('')}</ul>`);
  }
  if (s.leftOut.length) {
    const why = (r: { reason: string }) => (r.reason ? ` (${escapeHtml(r.reason)})` : '');
    const items = s.leftOut.map((r) => `<li>${where(r)}: ${escapeHtml(r.state)} at step ${r.step}${why(r)}</li>`);
    const what = `<b>${s.leftOut.length} run(s) left out of every fit</b> (diverged, not finished or without records)`;
    out.push(`<p>${what}:</p><ul>${items.join('')}</ul>`);
  } else out.push('<p>No run diverged or was left out of every fit.</p>');
  if (s.missing?.length) {
    const ids = s.missing.map((d) => `<li><code>${escapeHtml(d)}</code></li>`).join('');
    const what = `<b>${s.missing.length} run(s) of this spec not found</b> (another shard's, not run yet, or deleted): the fits use the others`;
    out.push(`<details open><summary>${what}</summary><ul>${ids}</ul></details>`);
  }
  for (const g of s.ignored ?? []) {
    const dirs = g.dirs.map((d) => `<li><code>${escapeHtml(d)}</code></li>`).join('');
    const what = g.ofSpec
      ? `<b>${g.count} run(s) of this spec left out</b>: ${escapeHtml(g.reason)}`
      : `<b>${g.count} run(s) of another spec ignored</b>: ${escapeHtml(g.reason)}`;
    out.push(`<details><summary>${what}</summary><ul>${dirs}</ul></details>`);
  }
  return out.join('\n');
}
