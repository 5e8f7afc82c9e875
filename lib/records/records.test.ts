import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeConfig } from '../core/config.js';
import { RecordsError } from '../core/errors.js';
import { useBackend } from '../backend/backends.js';
import { runConfig } from '../sweep/runner.js';
import { writeManifest } from './manifest.js';
import { parseRecords, readRun, readSweep, recordsToCsv } from './reader.js';
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
  expect(runId(a)).not.toBe(runId(a, 'a-dataset-id'));
});

test('fields a run does not read leave its identity alone; one experiment, one directory', () => {
  const a = makeConfig({ eta: 0.05, seed: 1 });
  for (const same of [
    { depth: 3 }, // two-layer: no depth
    { channels: 7, kernel: 3, convLayers: 2 },
    { gradVarSamples: 9, gradVarLogPoints: 5 }, // no grad-variance probe
    { noiseBatchSize: 4 }, // no gradient noise
    { normalize: 'none', dataSource: 'official', dataDir: '/x' }, // synthetic data
    { probes: [...a.probes].reverse() },
  ] as Partial<typeof a>[]) {
    expect(runId({ ...a, ...same })).toBe(runId(a));
  }
  expect(runId({ ...a, probes: [...a.probes, 'grad-variance'], gradVarSamples: 9 })).not.toBe(runId({ ...a, probes: [...a.probes, 'grad-variance'] }));
});

test('records round-trip: what the trainer returned is what the reader gives back, typed', async () => {
  const cfg = makeConfig({ inputDim: 5, hidden: 4, steps: 50, probeSamples: 50, probeLogPoints: 5 });
  const dir = runDir(tmp, cfg);
  const out = await runConfig(cfg, dir);
  const back = readRun(dir);
  expect(back.stored.config).toEqual(cfg);
  expect(back.stored.provenance.backend.name).toBe('cpu');
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
  expect(parseRecords(`${good}{"step":2,"a"`, 'r.jsonl')).toEqual({
    records: [{ step: 0, a: 1 }, { step: 1, a: 2 }],
    droppedTornLine: true,
  });
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

describe('config.json and status.json are checked when read back', () => {
  const stored = () => ({
    format: 2,
    config: makeConfig({ eta: 0.05, seed: 1 }),
    provenance: {
      backend: { name: 'cpu', tfName: 'cpu', versions: {} },
      engine: 'tfjs',
      data: { kind: 'synthetic' },
      dataStream: 'philox-1',
      library: { name: 'sgd-thermophoresis', version: '0.0.0' },
      node: 'v20.0.0',
      platform: 'linux-x64',
    },
    createdAt: '2024-01-01T00:00:00.000Z',
  });
  /** A run directory written by version 0.1 (format 1): backend and library at the top level, config.backend. */
  const format1 = () => ({
    config: { ...makeConfig({ eta: 0.05, seed: 1 }), backend: 'wasm' },
    backend: { name: 'wasm', tfName: 'wasm', versions: {} },
    library: { name: 'sgd-thermophoresis', version: '0.1.0' },
    createdAt: '2024-01-01T00:00:00.000Z',
  });
  let n = 0;
  /** A run directory holding the given files (objects are written as JSON, strings as they are). */
  function runWith(files: Record<string, unknown>): string {
    const dir = path.join(tmp, `shape-${n++}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    }
    return dir;
  }
  /** The one-line RecordsError reading `dir` gives. */
  function readError(dir: string): string {
    try {
      readRun(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(RecordsError);
      expect((err as Error).message.split('\n')).toHaveLength(1);
      return (err as Error).message;
    }
    throw new Error('expected a RecordsError');
  }
  const finished = { state: 'finished', step: 10 };
  const records = '{"step":0,"a":1}\n{"step":10,"a":2}\n';

  const withConfig = (patch: Record<string, unknown>) => ({ ...stored(), config: { ...stored().config, ...patch } });
  test.each([
    ['{}', {}, /config\.json: invalid run config: config: got undefined; allowed: an object of run config fields$/],
    ['a bare config', makeConfig({}), /config\.json: invalid run config: config: got undefined/],
    ['eta as a string', withConfig({ eta: '0.05' }), /: invalid run config: config\.eta: got '0\.05'; allowed: a finite number > 0/],
    ['seed missing', withConfig({ seed: undefined }), /: invalid run config: config\.seed: got undefined; allowed: an integer >= 0/],
    ['an unknown field', withConfig({ lr: 0.1 }), /config\.json: invalid run config: config\.lr: got 0\.1; allowed: no such option/],
    ['no provenance', { ...stored(), provenance: undefined }, /: invalid run config: provenance: got undefined; allowed: an object/],
    ['a wrong backend', { ...stored(), provenance: { ...stored().provenance, backend: 'cpu' } }, /: provenance\.backend: got 'cpu'/],
    ['a format 0', { ...stored(), format: 0 }, /config\.json: invalid run config: format: got 0; allowed: an integer >= 1$/],
    ['a format-1 backend string', { ...format1(), backend: 'wasm' }, /: invalid run config: backend: got 'wasm'; allowed: an object/],
    ['an array', [1, 2], /config\.json: invalid run config: \(top level\): got \[1,2\]; allowed: an object with 'format'/],
    ['garbage over two lines', 'garbage\nmore', /config\.json: malformed JSON at line 1, column 1: Unexpected token 'g'$/],
  ])('config.json with %s is a one-line RecordsError naming the field', (_name, config, pattern) => {
    expect(readError(runWith({ 'config.json': config, 'status.json': finished, 'records.jsonl': records }))).toMatch(pattern);
  });

  test.each([
    ['garbage over two lines', 'garbage\nmore', /status\.json: malformed JSON at line 1, column 1: Unexpected token 'g'$/],
    ['{}', {}, /status\.json: invalid run status: state: got undefined; allowed: one of 'running', 'finished', 'diverged'$/],
    ['an unknown state', { state: 'done', step: 3 }, /status\.json: invalid run status: state: got 'done'/],
    ['a fractional step', { state: 'finished', step: 2.5 }, /status\.json: invalid run status: step: got 2\.5; allowed: an integer >= 0$/],
    ['a non-numeric wall time', { state: 'finished', step: 2, wallSeconds: 'slow' }, /: invalid run status: wallSeconds: got 'slow'/],
    ['a number', 3, /status\.json: invalid run status: \(top level\): got 3/],
  ])('status.json with %s is a one-line RecordsError naming the field', (_name, status, pattern) => {
    expect(readError(runWith({ 'config.json': stored(), 'status.json': status, 'records.jsonl': records }))).toMatch(pattern);
  });

  test('a well-formed run reads back (a BOM is allowed), and so does a format-1 run, as written', () => {
    const bom = (v: unknown) => `\uFEFF${JSON.stringify(v)}`;
    const run = readRun(runWith({ 'config.json': bom(stored()), 'status.json': bom(finished), 'records.jsonl': records }));
    expect(run.stored).toEqual(stored());
    const old = readRun(runWith({ 'config.json': format1(), 'status.json': finished, 'records.jsonl': records }));
    expect(old.stored).toEqual(format1());
    expect(run.status).toEqual(finished);
    expect(run.records).toHaveLength(2);
    expect(run.finishedWithoutRecords).toBe(false);
  });

  test('a sweep reads its current-format runs only: a format-1 run beside them is named and left out, with or without a manifest', () => {
    const sweep = path.join(tmp, `sweep-${n++}`);
    const write = (id: string, config: unknown) => {
      const dir = path.join(sweep, 'runs', id);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
      fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify(finished));
      fs.writeFileSync(path.join(dir, 'records.jsonl'), records);
    };
    write('current', stored());
    write('old', format1());
    const reason = /earlier version of the library/;
    for (const manifest of [null, ['current']]) {
      if (manifest) writeManifest(sweep, manifest);
      const read = readSweep(sweep);
      expect(read.runs.map((r) => path.basename(r.dir))).toEqual(['current']);
      const old = read.ignored.filter((x) => path.basename(x.dir) === 'old');
      expect(old.map((x) => x.reason)).toEqual([expect.stringMatching(reason)]);
    }
  });

  test('a status that says finished over no records is kept as written and flagged', () => {
    for (const files of [{ 'records.jsonl': '' }, {}]) {
      const run = readRun(runWith({ 'config.json': stored(), 'status.json': finished, ...files }));
      expect(run.status.state).toBe('finished');
      expect(run.records).toEqual([]);
      expect(run.finishedWithoutRecords).toBe(true);
    }
    const running = readRun(runWith({ 'config.json': stored(), 'status.json': { state: 'running', step: 0 } }));
    expect(running.finishedWithoutRecords).toBe(false);
  });
});
