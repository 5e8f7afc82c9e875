/**
 * writeSweepReportInWorker, compiled (dist/): the report of a worker thread equals the in-process
 * one, its errors keep their class and one-line message, and an abort resolves null at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p: string) => pathToFileURL(path.resolve('dist/lib', p)).href;
let tmp: string;
let sweepDir: string;
beforeAll(async () => {
  expect(fs.existsSync(path.resolve('dist/lib/report/writeInWorker.js'))).toBe(true); // built by `npm install` (prepare)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-report-worker-'));
  const { runSweep } = await import(dist('index.js'));
  const spec = { name: 's', title: 'worker', axis: 'eta', quantities: ['activationRate'], base: { inputDim: 6, hidden: 6, steps: 200, probeSamples: 20 }, grid: { eta: [0.05, 0.1], seed: [0, 1] } };
  await runSweep(spec, tmp, { backend: 'cpu' });
  sweepDir = path.join(tmp, 's');
}, 60000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the worker writes the same summary as writeSweepReport', async () => {
  const { writeSweepReportInWorker } = await import(dist('report/writeInWorker.js'));
  const { writeSweepReport } = await import(dist('report/write.js'));
  const inWorker = await writeSweepReportInWorker(sweepDir, { bootstrap: 20 });
  const fromWorker = fs.readFileSync(inWorker.summary, 'utf8');
  const direct = writeSweepReport(sweepDir, { bootstrap: 20 });
  expect(fs.readFileSync(direct.summary, 'utf8')).toBe(fromWorker);
  expect(inWorker.analysis.summary).toEqual(direct.analysis.summary);
}, 60000);

test('an error in the worker keeps its class and its one-line message', async () => {
  const { writeSweepReportInWorker } = await import(dist('report/writeInWorker.js'));
  const { RecordsError } = await import(dist('core/errors.js'));
  const bad = path.join(tmp, 'bad');
  fs.cpSync(sweepDir, bad, { recursive: true });
  fs.writeFileSync(path.join(bad, 'sweep.json'), '{"name": ');
  const err = await writeSweepReportInWorker(bad, { bootstrap: 20 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RecordsError);
  expect((err as Error).name).toBe('RecordsError');
  expect((err as Error).message).toMatch(/sweep\.json.*line 1/);
  expect((err as Error).message).not.toContain('\n');
  expect((err as { file: string }).file).toContain('sweep.json');
}, 60000);

test('an abort resolves null at once and leaves no temp file', async () => {
  const { writeSweepReportInWorker } = await import(dist('report/writeInWorker.js'));
  const ctl = new AbortController();
  const pending = writeSweepReportInWorker(sweepDir, { bootstrap: 100000 }, ctl.signal);
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  ctl.abort();
  expect(await pending).toBeNull();
  expect(Date.now() - t0).toBeLessThan(200);
  await new Promise((r) => setTimeout(r, 300)); // the worker's termination
  expect(fs.readdirSync(sweepDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(await writeSweepReportInWorker(sweepDir, {}, AbortSignal.abort())).toBeNull();
}, 60000);
