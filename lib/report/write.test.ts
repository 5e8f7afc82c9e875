import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, RecordsError } from '../core/errors.js';
import { useBackend } from '../backend/backends.js';
import { atomicTempPath } from '../records/files.js';
import { runDir } from '../records/runDir.js';
import { runConfig } from '../sweep/runner.js';
import { expandSweep, writeSweepSpec, type SweepSpec } from '../sweep/sweep.js';
import { writeSweepReport } from './write.js';

let tmp: string;
let sweepDir: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-write-'));
  const spec: SweepSpec = {
    name: 'atomic',
    title: 'atomic outputs',
    axis: 'eta',
    quantities: ['activationRate'],
    base: { inputDim: 4, hidden: 3, steps: 20, probeSamples: 20, probeLogPoints: 4, probeLinearPoints: 4 },
    grid: { eta: [0.05, 0.1] },
  };
  await useBackend('cpu');
  sweepDir = path.join(tmp, spec.name);
  writeSweepSpec(sweepDir, spec);
  for (const cfg of expandSweep(spec)) await runConfig(cfg, runDir(sweepDir, cfg));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const read = (name: string) => fs.readFileSync(path.join(sweepDir, name), 'utf8');
const temps = () => fs.readdirSync(sweepDir).filter((f) => f.endsWith('.tmp'));

test('report.html and summary.json are written whole; a failed write leaves the previous files whole and no temp file', () => {
  writeSweepReport(sweepDir, { bootstrap: 5 });
  const html = read('report.html');
  const summary = read('summary.json');
  expect(html).toMatch(/<\/html>\s*$/);
  expect(JSON.parse(summary).title).toBe('atomic outputs');

  // a full disk while writing summary.json: every write to its temp file fails with ENOSPC
  const tmpSummary = atomicTempPath(path.join(sweepDir, 'summary.json'));
  fs.symlinkSync('/dev/full', tmpSummary);
  expect(() => writeSweepReport(sweepDir, { bootstrap: 5 })).toThrow(RecordsError);
  expect(fs.existsSync(tmpSummary)).toBe(false);
  expect(read('summary.json')).toBe(summary);
  expect(read('report.html')).toMatch(/<\/html>\s*$/);
  expect(temps()).toEqual([]);

  // a directory where report.html should go
  fs.renameSync(path.join(sweepDir, 'report.html'), path.join(tmp, 'report.html.saved'));
  fs.mkdirSync(path.join(sweepDir, 'report.html'));
  let message = '';
  try {
    writeSweepReport(sweepDir, { bootstrap: 5 });
  } catch (err) {
    message = (err as Error).message;
  }
  const htmlFile = path.join(sweepDir, 'report.html');
  expect(message).toBe(`${htmlFile}: cannot write: a directory is in the way (EISDIR); the file was left as it was`);
  expect(temps()).toEqual([]);

  // the rerun, once the cause is gone, succeeds
  fs.rmdirSync(path.join(sweepDir, 'report.html'));
  writeSweepReport(sweepDir, { bootstrap: 5 });
  expect(read('report.html')).toMatch(/<\/html>\s*$/);
  expect(JSON.parse(read('summary.json')).title).toBe('atomic outputs');
  expect(temps()).toEqual([]);
});

test('bad analysis options are a one-line ConfigError before anything is written (no hang on a huge bootstrap)', () => {
  const before = read('summary.json');
  for (const [opts, pattern] of [
    [{ bootstrap: 1e308 }, /^options\.bootstrap: got 1e\+308; allowed: an integer >= 1 <= 100000$/],
    [{ bootstrap: 'x' }, /^options\.bootstrap: got 'x'; allowed: /],
    [{ bootstrap: 2.5 }, /^options\.bootstrap: got 2\.5; allowed: an integer/],
    [{ minWindowPoints: -1 }, /^options\.minWindowPoints: got -1; allowed: /],
    [{ boostrap: 10 }, /^options\.boostrap: got 10; allowed: no such option/],
  ] as const) {
    let err: unknown = null;
    try {
      writeSweepReport(sweepDir, opts as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(pattern);
  }
  expect(read('summary.json')).toBe(before);
});
