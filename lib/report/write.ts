/** Builds a sweep's report.html and summary.json from its records (never from a live run). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSweep, type SweepAnalysis } from '../analysis/summary.js';
import { readJson } from '../records/files.js';
import { readSweepRuns } from '../records/reader.js';
import { checkSweepSpec, type SweepSpec } from '../sweep/sweep.js';
import { renderReport } from './html.js';

/** Paths written by {@link writeSweepReport}. */
export interface ReportFiles {
  html: string;
  summary: string;
  analysis: SweepAnalysis;
}

/** Reads `<sweepDir>/sweep.json` and its runs, writes `report.html` and `summary.json` beside them. */
export function writeSweepReport(sweepDir: string, opts: { bootstrap?: number } = {}): ReportFiles {
  const spec = checkSweepSpec(readJson<SweepSpec>(path.join(sweepDir, 'sweep.json')), `${sweepDir}/sweep.json`);
  const runs = readSweepRuns(sweepDir);
  const analysis = analyzeSweep(spec, runs, opts);
  const html = path.join(sweepDir, 'report.html');
  const summary = path.join(sweepDir, 'summary.json');
  fs.writeFileSync(html, renderReport(analysis));
  fs.writeFileSync(summary, `${JSON.stringify(analysis.summary, null, 2)}\n`);
  return { html, summary, analysis };
}

/** The sweep directories under `dir`: `dir` itself if it holds sweep.json, else its children that do. */
export function findSweepDirs(dir: string): string[] {
  if (fs.existsSync(path.join(dir, 'sweep.json'))) return [dir];
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((d) => path.join(dir, d))
    .filter((d) => fs.existsSync(path.join(d, 'sweep.json')))
    .sort();
}
