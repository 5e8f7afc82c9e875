/** Builds a sweep's report.html and summary.json from its records (never from a live run). */
import * as path from 'node:path';
import { analyzeSweep, type SweepAnalysis } from '../analysis/summary.js';
import type { AnalyzeOptions } from '../analysis/summaryTypes.js';
import { readJson, writeFileAtomic } from '../records/files.js';
import { readSweep } from '../records/reader.js';
import { checkSweepSpec, type SweepSpec } from '../sweep/sweep.js';
import { renderReport } from './html.js';

/** The files {@link writeSweepReport} writes into a sweep directory. */
export const REPORT_FILES = { html: 'report.html', summary: 'summary.json' } as const;

/** Paths written by {@link writeSweepReport}. */
export interface ReportFiles {
  html: string;
  summary: string;
  analysis: SweepAnalysis;
}

/**
 * Reads `<sweepDir>/sweep.json` and exactly the runs of its manifest, writes `report.html` and `summary.json`
 * beside them, each atomically: a failed write (full disk, read-only file system, ...) leaves the previous file
 * whole and throws a RecordsError. Other run directories found there are named in both as ignored.
 */
export function writeSweepReport(sweepDir: string, opts: Omit<AnalyzeOptions, 'ignored' | 'missing'> = {}): ReportFiles {
  const spec = checkSweepSpec(readJson<SweepSpec>(path.join(sweepDir, 'sweep.json')), `${sweepDir}/sweep.json`);
  const { runs, ignored, missing } = readSweep(sweepDir);
  const analysis = analyzeSweep(spec, runs, { ...opts, ignored, missing });
  const html = path.join(sweepDir, REPORT_FILES.html);
  const summary = path.join(sweepDir, REPORT_FILES.summary);
  writeFileAtomic(html, renderReport(analysis));
  writeFileAtomic(summary, `${JSON.stringify(analysis.summary, null, 2)}\n`);
  return { html, summary, analysis };
}
