/**
 * The bad-input battery (README, "Bad input"): each bad input gives a typed error with a one-line
 * message naming the value and what is allowed, printed by the CLI without a stack trace; exit 2
 * for usage errors and 1 for runtime failures; nothing already recorded is lost.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { jest } from '@jest/globals';
import { main } from './main.js';
import { encodeIdx } from '../data/idx.js';
import { cifarBatch, writeCifarFiles, writeFashionMnistFiles } from '../testing/datafiles.js';
import { clearLoadedData } from '../data/load.js';

let tmp: string;
let err: jest.SpiedFunction<typeof console.error>;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-bad-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  err = jest.spyOn(console, 'error').mockImplementation(() => {});
  jest.spyOn(console, 'log').mockImplementation(() => {});
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  clearLoadedData();
});
afterEach(() => jest.restoreAllMocks());

const tiny = { inputDim: 4, hidden: 3, steps: 30, probeSamples: 20, probeLogPoints: 3, probeLinearPoints: 3 };
function sweepFile(name: string, patch: Record<string, unknown> = {}, base: Record<string, unknown> = {}): string {
  const file = path.join(tmp, `${name}.json`);
  const spec = { name, title: name, axis: 'eta', quantities: ['activationRate'], base: { ...tiny, ...base }, grid: { eta: [0.05, 0.1] }, ...patch };
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}
const out = () => path.join(tmp, 'results');
const cli = (...args: string[]) => main(['node', 'thermo', ...args]);
const message = () => err.mock.calls.map((c) => String(c[0])).join('\n');

/** [case, argv builder, exit code, message pattern] */
const battery: [string, () => string[], number, RegExp][] = [
  ['η = 0', () => ['sweep', sweepFile('eta0', { grid: { eta: [0] } }), '--out', out()], 2, /grid\.eta\[0\]: got 0; allowed: a finite number > 0/],
  ['η < 0 in the base config', () => ['sweep', sweepFile('etaneg', {}, { eta: -1 }), '--out', out()], 2, /base\.eta: got -1; allowed: a finite number > 0/],
  ['η NaN (null in JSON)', () => ['sweep', sweepFile('etanan', { grid: { eta: [null] } }), '--out', out()], 2, /grid\.eta\[0\]: got null; allowed: a finite number > 0/],
  ['|B| = 0', () => ['sweep', sweepFile('b0', { grid: { batchSize: [0] } }), '--out', out()], 2, /grid\.batchSize\[0\]: got 0; allowed: an integer >= 1/],
  ['steps < 1', () => ['sweep', sweepFile('s0', {}, { steps: 0 }), '--out', out()], 2, /base\.steps: got 0; allowed: an integer >= 1/],
  ['unknown example', () => ['run', 'fig7', '--out', out()], 2, /example: got 'fig7'; allowed: one of 'fig2-two-layer'/],
  ['unknown model', () => ['sweep', sweepFile('model', {}, { model: 'resnet50' }), '--out', out()], 2, /base\.model: got 'resnet50'; allowed: one of 'two-layer', 'fc', 'cnn'/],
  ['unknown backend', () => ['run', 'fig2-two-layer', '--quick', '--backend', 'metal', '--out', out()], 2, /backend: got 'metal'; allowed: one of 'cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu', 'auto'/],
  ['unknown init', () => ['sweep', sweepFile('init', {}, { init: 'orthogonal' }), '--out', out()], 2, /base\.init: got 'orthogonal'; allowed: one of 'pytorch-default'/],
  ['unknown probe', () => ['sweep', sweepFile('probe', {}, { probes: ['hessian'] }), '--out', out()], 2, /base\.probes\[0\]: got 'hessian'; allowed: one of 'activation-rate'/],
  ['unknown config key', () => ['sweep', sweepFile('key', {}, { lr: 0.1 }), '--out', out()], 2, /base\.lr: got 0\.1; allowed: no such option; known options: model, /],
  ['a quantity no probe writes', () => ['sweep', sweepFile('noq', { quantities: ['loss'] }), '--out', out()], 2, /sweep\.quantities\[0\]: got 'loss'; allowed: a record field of the probes: activationRate/],
  ['a grid field besides the axis and seed', () => ['sweep', sweepFile('pool', { axis: 'batchSize', grid: { eta: [0.05, 0.1] } }), '--out', out()], 2, /sweep\.grid\.eta: got \[0\.05,0\.1\]; allowed: one value: a sweep fits one exponent along its axis 'batchSize'/],
  ['a learning exit without the loss probe', () => ['sweep', sweepFile('learn', { regime: { learnDrop: 0.01 } }, { probes: ['activation-rate'] }), '--out', out()], 2, /sweep\.regime\.learnDrop: got 0\.01; allowed: a sweep whose runs all have the 'loss' probe/],
  ['a learning exit where a grid value of probes lacks loss', () => ['sweep', sweepFile('learn2', { regime: { learnDrop: 0.01 }, grid: { eta: [0.05, 0.1], probes: [['activation-rate']] } }), '--out', out()], 2, /sweep\.regime\.learnDrop: got 0\.01; allowed: a sweep whose runs all have the 'loss' probe/],
  ['a quantity this sweep\'s probes do not write', () => ['sweep', sweepFile('noprobe', { quantities: ['activationRate', 'gradVar'] }), '--out', out()], 2, /sweep\.quantities\[1\]: got 'gradVar'; allowed: a field this sweep's probes write: add 'grad-variance' to its probes \(they are 'activation-rate'/],
  ['unknown sweep key', () => ['sweep', sweepFile('skey', { repeats: 3 }), '--out', out()], 2, /\.repeats: got 3; allowed: no such option/],
  ['unknown CLI option', () => ['run', 'fig2-two-layer', '--fast'], 2, /^$/],
  ['bad --seeds', () => ['run', 'fig2-two-layer', '--seeds', 'two', '--out', out()], 2, /--seeds: got 'two'; allowed: an integer >= 1/],
  ['bad --shard', () => ['run', 'fig2-two-layer', '--shard', '3/3', '--out', out()], 2, /--shard: got '3\/3'; allowed: 'i\/n' with 0 <= i < n/],
  ['malformed JSON config', () => { const f = path.join(tmp, 'bad.json'); fs.writeFileSync(f, '{"name": '); return ['sweep', f, '--out', out()]; }, 2, /bad\.json: got '\{"name": '; allowed: valid JSON/],
  ['missing config file', () => ['sweep', path.join(tmp, 'nope.json')], 2, /spec\.json: got '.*nope\.json'; allowed: a readable JSON file \(ENOENT\)/],
  ['run name escaping the results root', () => ['sweep', sweepFile('escape', { name: '../../etc' }), '--out', out()], 2, /\.name: got '\.\.\/\.\.\/etc'; allowed: a name of letters, digits/],
  ['results directory not writable', () => { const f = path.join(tmp, 'a-file'); fs.writeFileSync(f, ''); return ['sweep', sweepFile('ok1'), '--out', path.join(f, 'sub')]; }, 1, /a-file\/sub\/sweeps: results directory is not writable \(ENOTDIR\)/],
  ['an empty --data-dir', () => ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', '', '--out', out()], 2, /--data-dir: got ''; allowed: a non-empty directory path \(leave it out/],
  ['missing data directory', () => ['run', 'a6-cifar10', '--quick', '--data-dir', path.join(tmp, 'no-data'), '--out', out()], 1, /no-data: the data directory does not exist/],
  ['truncated IDX file', () => {
    const dir = path.join(tmp, 'fm-trunc');
    writeFashionMnistFiles(dir, 10, 10, false);
    const f = path.join(dir, 't10k-images-idx3-ubyte');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1000));
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /t10k-images-idx3-ubyte: truncated: 984 data bytes, expected 7840 for dimensions 10×28×28/],
  ['corrupt IDX file (bad magic)', () => {
    const dir = path.join(tmp, 'fm-magic');
    writeFashionMnistFiles(dir, 10, 10, true);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(Buffer.concat([Buffer.from([0, 0, 9, 9]), encodeIdx([10], new Uint8Array(10)).subarray(4)])));
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /train-labels-idx1-ubyte\.gz: bad IDX magic number 0x00000909, expected 0x00000801/],
  ['truncated CIFAR file', () => {
    const dir = path.join(tmp, 'cifar-trunc');
    writeCifarFiles(dir, 5);
    fs.writeFileSync(path.join(dir, 'data_batch_3.bin'), cifarBatch(5, 3).subarray(0, 9000));
    return ['run', 'a6-cifar10', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /data_batch_3\.bin: 9000 bytes is not a whole number of 3073-byte records/],
  ['corrupt CIFAR file (label 200)', () => {
    const dir = path.join(tmp, 'cifar-label');
    writeCifarFiles(dir, 5);
    const b = cifarBatch(5, 9);
    b[3073 * 2] = 200;
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), b);
    return ['run', 'a6-cifar10', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /test_batch\.bin: record 2 has label 200, expected 0\.\.9: corrupt file/],
  ['checksum mismatch of a cached download', () => {
    const dir = path.join(tmp, 'cifar-sum');
    fs.mkdirSync(path.join(dir, 'cifar10'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cifar10', 'cifar-10-binary.tar.gz'), 'not the archive');
    return ['run', 'a6-cifar10', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /cifar-10-binary\.tar\.gz: sha256 [0-9a-f]{64} does not match the published c4a38c50/],
  ['a backend that is not installed', () => ['run', 'fig2-two-layer', '--quick', '--backend', 'tensorflow', '--out', out()], 1, /backend 'tensorflow' is not available\. Install it with `npm install @tensorflow\/tfjs-node@4\.22\.0`/],
  // round 2: validate everything before training, bound every count, data provenance
  ['spec without a title', () => ['sweep', sweepFile('notitle', { title: undefined }), '--out', out()], 2, /\.title: got undefined; allowed: a non-empty string of at most 500 characters/],
  ['a title that is not a string', () => ['sweep', sweepFile('numtitle', { title: 42 }), '--out', out()], 2, /\.title: got 42; allowed: a non-empty string/],
  ['repeated η values', () => ['sweep', sweepFile('dupeta', { grid: { eta: [0.05, 0.05] } }), '--out', out()], 2, /grid\.eta: got \[0\.05,0\.05\]; allowed: distinct values \(repeated: 0\.05\)/],
  ['seeds 0 and -0', () => ['sweep', sweepFile('dupseed', { grid: { seed: [0, -0] } }), '--out', out()], 2, /grid\.seed: got \[0,0\]; allowed: distinct values \(repeated: 0\)/],
  ['a 300-character sweep name', () => ['sweep', sweepFile('long', { name: 'x'.repeat(300) }), '--out', out()], 2, /\.name: got 'x{20}\.\.\. \(300 characters\)'; allowed: a name of letters.*\(at most 100 characters\)/],
  ['a grid of 101,000 runs', () => ['sweep', sweepFile('huge', { grid: { seed: Array.from({ length: 1000 }, (_, i) => i), hidden: Array.from({ length: 101 }, (_, i) => i + 1) } }), '--out', out()], 2, /\.grid: got '101000 runs \(seed 1000 × hidden 101\)'; allowed: at most 100000 runs/],
  ['backend as a grid axis (it is provenance)', () => ['sweep', sweepFile('gridbackend', { grid: { backend: ['cpu'] } }), '--out', out()], 2, /grid\.backend: got \["cpu"\]; allowed: no such option/],
  ['steps 1e308', () => ['sweep', sweepFile('steps', {}, { steps: 1e308 }), '--out', out()], 2, /base\.steps: got 1e\+308; allowed: an integer >= 1 <= 1000000000/],
  ['η = 5e-324 with a step budget', () => ['sweep', sweepFile('tinyeta', { grid: { eta: [5e-324, 0.1] }, budget: { refSteps: 100, etaRef: 0.1, batchRef: 1 } }), '--out', out()], 2, /steps: got (Infinity|[0-9.e+]+); allowed: an integer >= 1 <= 1000000000/],
  ['hidden 1e9', () => ['sweep', sweepFile('hidden', {}, { hidden: 1e9 }), '--out', out()], 2, /base\.hidden: got 1000000000; allowed: an integer >= 1 <= 65536/],
  ['probeSamples 1e9', () => ['sweep', sweepFile('probes', {}, { probeSamples: 1e9 }), '--out', out()], 2, /base\.probeSamples: got 1000000000; allowed: an integer >= 1 <= 1000000/],
  ['probeLogPoints 1e308', () => ['sweep', sweepFile('logpts', {}, { probeLogPoints: 1e308 }), '--out', out()], 2, /base\.probeLogPoints: got 1e\+308; allowed: an integer >= 0 <= 10000/],
  ['inputDim 1e308', () => ['sweep', sweepFile('indim', {}, { inputDim: 1e308 }), '--out', out()], 2, /base\.inputDim: got 1e\+308; allowed: an integer >= 1 <= 1000000/],
  ['batchSize 1e308', () => ['sweep', sweepFile('bsz', {}, { batchSize: 1e308 }), '--out', out()], 2, /base\.batchSize: got 1e\+308; allowed: an integer >= 1 <= 1000000/],
  ['--seeds 1e7', () => ['run', 'fig2-two-layer', '--seeds', '1e7', '--out', out()], 2, /--seeds: got '1e7'; allowed: an integer >= 1 and <= 10000/],
  ['--bootstrap 1e308', () => ['run', 'fig2-two-layer', '--quick', '--bootstrap', '1e308', '--out', out()], 2, /--bootstrap: got '1e308'; allowed: an integer >= 10 and <= 100000/],
  ['a model too large for memory', () => ['sweep', sweepFile('mem', {}, { inputDim: 1000000, hidden: 65536, steps: 10 }), '--out', out(), '--backend', 'cpu'], 2, /config\.(hidden|inputDim): got \d+; allowed: a smaller value: 2 run\(s\) together would need about [0-9.]+ GiB, more than/],
  ['--data-dir that is an empty directory', () => {
    const dir = path.join(tmp, 'fm-empty');
    fs.mkdirSync(dir, { recursive: true });
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /fm-empty: holds no Fashion-MNIST: missing train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz, t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz/],
  ['--data-dir that is a file', () => {
    const f = path.join(tmp, 'fm-file');
    fs.writeFileSync(f, 'x');
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', f, '--out', out()];
  }, 1, /fm-file: is not a directory/],
  ['--data-dir missing one IDX file', () => {
    const dir = path.join(tmp, 'fm-three');
    writeFashionMnistFiles(dir, 10, 10);
    fs.rmSync(path.join(dir, 'train-labels-idx1-ubyte.gz'));
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /fm-three: holds no Fashion-MNIST: missing train-labels-idx1-ubyte\.gz \(here/],
  ['a training split with 0 images', () => {
    const dir = path.join(tmp, 'fm-zero');
    writeFashionMnistFiles(dir, 0, 10);
    return ['run', 'fig2-cnn6-fmnist', '--quick', '--data-dir', dir, '--out', out()];
  }, 1, /train-images-idx3-ubyte\.gz: the training split holds 0 images/],
  ['an unknown engine', () => ['run', 'fig2-two-layer', '--quick', '--engine', 'cuda-graphs', '--out', out()], 2, /--engine: got 'cuda-graphs'; allowed: one of 'tfjs', 'webgpu-fused', 'webgpu-dense', 'wasm-fused', 'auto'/],
];

test(`the battery has at least 20 bad inputs (${battery.length})`, () => {
  expect(battery.length).toBeGreaterThanOrEqual(20);
});

test.each(battery.map(([name, argv, code, pattern]) => [name, code, argv, pattern] as const))('%s: exits %i with a one-line typed error', async (_name, code, argv, pattern) => {
  const args = argv();
  if (args.includes('tensorflow') && fs.existsSync(path.resolve('node_modules/@tensorflow/tfjs-node'))) return;
  expect(await cli(...args)).toBe(code);
  const text = message();
  expect(text).toMatch(pattern.source === '^$' ? /.*/ : pattern);
  if (text) {
    expect(text.split('\n')).toHaveLength(1); // one line, no stack trace
    expect(text).toMatch(/^error: [A-Za-z]+Error: /);
  }
});

/** Bad files of a finished sweep, found by `thermo report` / `thermo csv`. */
describe('bad files under a results directory', () => {
  let sweep: string;
  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => {});
    expect(await cli('sweep', sweepFile('files'), '--out', out(), '--bootstrap', '10')).toBe(0);
    sweep = path.join(out(), 'sweeps', 'files');
  });
  const firstRun = () => path.join(sweep, 'runs', fs.readdirSync(path.join(sweep, 'runs'))[0]);
  const keep = (file: string, fn: () => Promise<void>) => async () => {
    const saved = fs.readFileSync(file);
    try {
      await fn();
    } finally {
      fs.writeFileSync(file, saved);
    }
  };
  test('a config.json that is {} is named invalid (exit 1, one line)', async () => {
    const f = path.join(firstRun(), 'config.json');
    await keep(f, async () => {
      fs.writeFileSync(f, '{}');
      expect(await cli('report', sweep, '--bootstrap', '10')).toBe(1);
      expect(message()).toMatch(/config\.json: invalid run config: config: got undefined; allowed: an object of run config fields/);
      expect(message().split('\n')).toHaveLength(1);
    })();
  });
  test('a wrong-shaped config.json is named invalid, not silently analyzed', async () => {
    const f = path.join(firstRun(), 'config.json');
    await keep(f, async () => {
      const stored = JSON.parse(fs.readFileSync(f, 'utf8'));
      stored.config.eta = '0.05';
      fs.writeFileSync(f, JSON.stringify(stored));
      expect(await cli('report', sweep, '--bootstrap', '10')).toBe(1);
      expect(message()).toMatch(/config\.json: invalid run config: config\.eta: got '0\.05'/);
    })();
  });
  test('a config.json edited after the run (η changed) no longer matches its checksum: named as ignored, not analyzed', async () => {
    const f = path.join(firstRun(), 'config.json');
    await keep(f, async () => {
      const stored = JSON.parse(fs.readFileSync(f, 'utf8'));
      stored.config.eta = 0.07;
      fs.writeFileSync(f, JSON.stringify(stored));
      expect(await cli('report', sweep, '--bootstrap', '10')).toBe(0);
      const summary = JSON.parse(fs.readFileSync(path.join(sweep, 'summary.json'), 'utf8'));
      expect(summary.ignored).toEqual([expect.objectContaining({ count: 1, ofSpec: true, reason: 'its config.json was edited after the run was written (its config no longer matches configSha256)' })]);
      expect(summary.runs).toMatchObject({ total: 2, finished: 1 }); // the edited run still counts in the total
      expect(fs.readFileSync(path.join(sweep, 'report.html'), 'utf8')).toMatch(/1 run\(s\) of this spec left out<\/b>: its config\.json was edited/);
      stored.configSha256 = 'abc';
      fs.writeFileSync(f, JSON.stringify(stored));
      expect(await cli('report', sweep, '--bootstrap', '10')).toBe(1);
      expect(message()).toMatch(/config\.json: invalid run config: configSha256: got 'abc'; allowed: the 64 hex digits/);
      expect(summary.probes.activationRate.fits.all.change.map((c: { value: number }) => c.value)).not.toContain(0.07);
    })();
  });
  test('a garbage status.json is one line with line and column', async () => {
    const f = path.join(firstRun(), 'status.json');
    await keep(f, async () => {
      fs.writeFileSync(f, 'garbage\nmore');
      expect(await cli('report', sweep, '--bootstrap', '10')).toBe(1);
      expect(message()).toMatch(/status\.json: malformed JSON at line 1, column 1/);
      expect(message().split('\n')).toHaveLength(1);
    })();
  });
  test('report.html blocked by a directory: one line naming it; the rerun works once it is gone', async () => {
    const html = path.join(sweep, 'report.html');
    fs.rmSync(html, { force: true });
    fs.mkdirSync(html);
    expect(await cli('report', sweep, '--bootstrap', '10')).toBe(1);
    expect(message()).toMatch(/report\.html: cannot write: a directory is in the way \(EISDIR\)/);
    fs.rmdirSync(html);
    expect(await cli('report', sweep, '--bootstrap', '10')).toBe(0);
    expect(fs.statSync(html).isFile()).toBe(true);
  });
  test('runs of an earlier invocation with other seeds are named as ignored, never mixed in', async () => {
    expect(await cli('sweep', sweepFile('files', { grid: { eta: [0.05, 0.1], seed: [3] } }), '--out', out(), '--bootstrap', '10')).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(sweep, 'summary.json'), 'utf8'));
    expect(summary.runs.total).toBe(2);
    expect(summary.ignored).toEqual([expect.objectContaining({ count: 2, reason: 'of another spec of this sweep' })]);
    expect(fs.readFileSync(path.join(sweep, 'report.html'), 'utf8')).toMatch(/2 run\(s\) of another spec/);
  });
});

test('a report of one shard names the runs of the spec not started and counts them; a bad manifest entry is refused', async () => {
  const root = path.join(tmp, 'shards');
  const file = sweepFile('sharded', { grid: { eta: [0.02, 0.05, 0.1, 0.2] } });
  expect(await cli('sweep', file, '--out', root, '--shard', '0/2', '--bootstrap', '10')).toBe(0);
  const dir = path.join(root, 'sweeps', 'sharded');
  const logs: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((x: unknown) => void logs.push(String(x)));
  expect(await cli('report', dir, '--bootstrap', '10')).toBe(0);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  expect(summary.runs).toMatchObject({ total: 4, finished: 2 });
  expect(summary.missing).toHaveLength(2);
  expect(logs.join('\n')).toMatch(/2\/4 runs finished[\s\S]*! 2 run\(s\) of this spec not found \(another shard's, not run yet, or deleted\)/);
  expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/2 run\(s\) of this spec not found/);
  const manifest = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  fs.writeFileSync(manifest, JSON.stringify({ ...m, runs: [...m.runs, '../../../etc'] }));
  expect(await cli('report', dir, '--bootstrap', '10')).toBe(1);
  expect(message()).toMatch(/manifest\.json.*run id "\.\.\/\.\.\/\.\.\/etc" is not a directory name under runs\//);
});

test('an example script exits 2 on an unknown flag, like thermo', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [path.resolve('dist/examples/fig2-two-layer.js'), '--bogus'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown option '--bogus'/);
});

test('--verbose adds the stack trace', async () => {
  expect(await cli('sweep', sweepFile('v', {}, { eta: 0 }), '--out', out(), '--verbose')).toBe(2);
  expect(message().split('\n').length).toBeGreaterThan(1);
  expect(message()).toMatch(/\n\s+at /);
});

test('divergence (NaN loss) in one member of a sweep: it is marked and listed, the others go on, exit 0', async () => {
  const file = sweepFile('diverging', { grid: { eta: [0.05, 1e5, 0.1] } }, { loss: 'mse', divergenceThreshold: 1e30, steps: 200 });
  expect(await cli('sweep', file, '--out', out(), '--bootstrap', '10')).toBe(0);
  const summary = JSON.parse(fs.readFileSync(path.join(out(), 'sweeps', 'diverging', 'summary.json'), 'utf8'));
  expect(summary.runs).toMatchObject({ total: 3, finished: 2 });
  expect(summary.leftOut).toEqual([expect.objectContaining({ eta: 1e5, state: 'diverged', reason: expect.stringMatching(/non-finite/) })]);
});

test('nothing already recorded is lost when a later run fails on bad input', async () => {
  const dir = path.join(tmp, 'cifar-keep');
  writeCifarFiles(dir, 5);
  const o = path.join(tmp, 'keep');
  expect(await cli('run', 'a6-cifar10', '--quick', '--seeds', '1', '--data-dir', dir, '--out', o, '--bootstrap', '10')).toBe(0);
  const sweep = path.join(o, 'a6-cifar10', 'eta-sweep', 'runs');
  const before = fs.readdirSync(sweep).map((r) => fs.readFileSync(path.join(sweep, r, 'records.jsonl'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(10));
  clearLoadedData();
  expect(await cli('run', 'a6-cifar10', '--quick', '--seeds', '2', '--data-dir', dir, '--out', o)).toBe(1);
  const after = fs.readdirSync(sweep).map((r) => fs.readFileSync(path.join(sweep, r, 'records.jsonl'), 'utf8'));
  expect(after).toEqual(before);
});
