import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeConfig } from '../core/config.js';
import { RecordsError } from '../core/errors.js';
import { useBackend } from '../backend/backends.js';
import { runConfig } from '../sweep/runner.js';
import { parseRecords, readRun, recordsToCsv } from './reader.js';
import { runDir, runId } from './runDir.js';

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-records-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the run directory is derived from the config: same config, same directory; any change, another', async () => {
  const a = makeConfig({ eta: 0.05, seed: 1 });
  expect(runId(a)).toBe(runId(makeConfig({ seed: 1, eta: 0.05 })));
  expect(runId(a)).toMatch(/^two-layer_eta0\.05_B1_seed1_[0-9a-f]{10}$/);
  expect(runId(a)).not.toBe(runId({ ...a, probeSamples: 999 }));
});

test('records round-trip: what the trainer returned is what the reader gives back, typed', async () => {
  const cfg = makeConfig({ inputDim: 5, hidden: 4, steps: 50, probeSamples: 50, probeLogPoints: 5 });
  const dir = runDir(tmp, cfg);
  const out = await runConfig(cfg, dir);
  const back = readRun(dir);
  expect(back.stored.config).toEqual(cfg);
  expect(back.stored.backend.name).toBe('cpu');
  expect(back.status.state).toBe('finished');
  expect(back.records.length).toBeGreaterThan(3);
  expect(back.records[back.records.length - 1].step).toBe(50);
  expect(out.status.state).toBe('finished');
  // running again skips the finished run and keeps its records
  const again = await runConfig(cfg, dir);
  expect(again.skipped).toBe(true);
  expect(readRun(dir).records).toEqual(back.records);
});

test('a torn last line is dropped; a corrupt line elsewhere is a RecordsError naming the file and line', async () => {
  const good = '{"step":0,"a":1}\n{"step":1,"a":2}\n';
  expect(parseRecords(`${good}{"step":2,"a"`, 'r.jsonl')).toEqual({ records: [{ step: 0, a: 1 }, { step: 1, a: 2 }], droppedTornLine: true });
  expect(() => parseRecords(`{"step":0}\n{oops\n{"step":2}\n`, 'r.jsonl')).toThrow(RecordsError);
  expect(() => parseRecords(`{"step":0}\n{oops\n{"step":2}\n`, 'r.jsonl')).toThrow(/r\.jsonl: line 2 is not valid JSON/);
  expect(() => parseRecords(`{"nostep":1}\n`, 'r.jsonl')).toThrow(/line 1 is not a record with a numeric 'step'/);
});

test('non-finite values are stored as null and read back as NaN', async () => {
  expect(parseRecords('{"step":3,"loss":null}\n', 'f').records[0].loss).toBeNaN();
});

test('CSV export has a header of all fields and empty cells for missing values', async () => {
  const csv = recordsToCsv([{ step: 0, a: 1 }, { step: 5, a: 2, b: 0.5 }, { step: 6, a: NaN }]);
  expect(csv).toBe('step,a,b\n0,1,\n5,2,0.5\n6,,\n');
});

test('reading a missing run directory is a RecordsError naming config.json', async () => {
  expect(() => readRun(path.join(tmp, 'nope'))).toThrow(/nope\/config\.json: cannot read \(ENOENT\)/);
});
