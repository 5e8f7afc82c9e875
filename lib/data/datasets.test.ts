import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { makeConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { cifarArchive, cifarBatch, writeCifarFiles, writeFashionMnistFiles } from '../testing/datafiles.js';
import { CIFAR10_ARCHIVE, encodeCifarBatch, loadCifar10, loadCifar10Dir, parseCifarBatch } from './cifar10.js';
import { fetchCached, sha256, type Fetcher } from './download.js';
import { ChecksumError, DataFormatError, DataMissingError } from './errors.js';
import { downloadFashionMnist, loadFashionMnistIdx, loadFashionMnistNpm } from './fashionMnist.js';
import { encodeIdx, parseIdx } from './idx.js';
import { readTar, writeTar } from './tar.js';
import { clearLoadedData, loadDataset } from './load.js';
import { memberData } from './source.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-data-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => clearLoadedData());

const serve = (files: Record<string, Buffer>): Fetcher & { calls: string[] } => {
  const calls: string[] = [];
  const f = (async (url: string) => {
    calls.push(url);
    const name = Object.keys(files).find((k) => url.endsWith(k));
    const body = name ? files[name] : undefined;
    return { ok: body !== undefined, status: body ? 200 : 404, arrayBuffer: async () => (body ? body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) : new ArrayBuffer(0)) as ArrayBuffer };
  }) as Fetcher & { calls: string[] };
  f.calls = calls;
  return f;
};

describe('IDX', () => {
  test('round trip, gzipped or not', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const buf = encodeIdx([2, 3], data);
    expect(parseIdx(buf, 'f', 2)).toEqual({ dims: [2, 3], data });
    expect(parseIdx(zlib.gzipSync(buf), 'f.gz', 2).data).toEqual(data);
  });
  test.each([
    ['truncated data', (b: Buffer) => b.subarray(0, b.length - 1), /f: truncated: 5 data bytes, expected 6 for dimensions 2×3/],
    ['truncated header', (b: Buffer) => b.subarray(0, 6), /f: truncated header: 6 bytes, expected 12/],
    ['bad magic', (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0x0d, 2]), b.subarray(4)]), /f: bad IDX magic number 0x00000d02, expected 0x00000802/],
    ['too long', (b: Buffer) => Buffer.concat([b, Buffer.from([9])]), /f: too long/],
    ['corrupt gzip', () => Buffer.from([0x1f, 0x8b, 1, 2, 3]), /f: corrupt gzip data/],
  ])('%s gives a DataFormatError naming the file and what was expected', (_n, mangle, message) => {
    const buf = mangle(encodeIdx([2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect(() => parseIdx(buf, 'f', 2)).toThrow(DataFormatError);
    expect(() => parseIdx(buf, 'f', 2)).toThrow(message);
  });
});

describe('Fashion-MNIST', () => {
  test('loads the official IDX files from a local directory', () => {
    const dir = path.join(tmp, 'fm-local');
    writeFashionMnistFiles(dir, 30, 10, false);
    const ds = loadFashionMnistIdx(dir);
    expect([ds.train.n, ds.test.n, ds.train.x.length, ds.shape]).toEqual([30, 10, 30 * 784, [28, 28, 1]]);
    expect(Array.from(ds.train.y.slice(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  test('downloads the files into the cache and checks their sha256 (mismatch: ChecksumError, nothing kept)', async () => {
    const src = path.join(tmp, 'fm-src');
    writeFashionMnistFiles(src);
    const files = Object.fromEntries(fs.readdirSync(src).map((f) => [f, fs.readFileSync(path.join(src, f))]));
    const fetcher = serve(files);
    const cache = path.join(tmp, 'fm-cache');
    await expect(downloadFashionMnist(cache, fetcher)).rejects.toThrow(ChecksumError);
    await expect(downloadFashionMnist(cache, fetcher)).rejects.toThrow(/train-images-idx3-ubyte\.gz \(downloaded from http:\/\/fashion-mnist.*\): sha256 [0-9a-f]{64} does not match the published 08dc20ab/);
    expect(fs.readdirSync(cache)).toEqual([]);
    // the download and cache path itself, with the sha256 of the served file
    const name = 'train-images-idx3-ubyte.gz';
    const got = await fetchCached(`http://x/${name}`, cache, name, sha256(files[name]), fetcher);
    expect(got.equals(files[name])).toBe(true);
    expect(fs.existsSync(path.join(cache, name))).toBe(true);
    const calls = fetcher.calls.length;
    await fetchCached(`http://x/${name}`, cache, name, sha256(files[name]), fetcher);
    expect(fetcher.calls.length).toBe(calls); // served from the cache
    fs.writeFileSync(path.join(cache, name), 'tampered');
    await expect(fetchCached(`http://x/${name}`, cache, name, sha256(files[name]), fetcher)).rejects.toThrow(ChecksumError);
    await expect(fetchCached('http://x/none.gz', cache, 'none.gz', 'ab', fetcher)).rejects.toThrow(/none\.gz: not cached and the download from http:\/\/x\/none\.gz answered HTTP 404/);
  });

  test('the offline npm copy: 70,000 real images (2 empty entries skipped) split deterministically into 60,000 train and 10,000 test', () => {
    const ds = loadFashionMnistNpm();
    expect([ds.train.n, ds.test.n]).toEqual([60000, 10000]);
    expect(ds.source).toMatch(/2 empty entries skipped/);
    const counts = new Array(10).fill(0);
    for (const y of ds.test.y) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(ds.train.x.subarray(0, 784 * 100).reduce((a, v) => Math.max(a, v), 0)).toBe(255);
    expect(Array.from(ds.train.y.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('CIFAR-10', () => {
  test('parses binary batches into HWC pixels', () => {
    const buf = cifarBatch(2, 3);
    const s = parseCifarBatch(buf, 'b.bin');
    expect(s.n).toBe(2);
    expect(Array.from(s.y)).toEqual([3, 4]);
    // pixel (0,1): R at byte 1+1, G at 1+1024+1, B at 1+2048+1
    expect([s.x[3], s.x[4], s.x[5]]).toEqual([buf[2], buf[1026], buf[2050]]);
  });
  test.each([
    ['truncated', cifarBatch(2, 1).subarray(0, 5000), /b\.bin: 5000 bytes is not a whole number of 3073-byte records/],
    ['empty', Buffer.alloc(0), /b\.bin: 0 bytes/],
    ['bad label', Buffer.concat([Buffer.from([42]), Buffer.alloc(3072)]), /b\.bin: record 0 has label 42, expected 0\.\.9: corrupt file/],
  ])('a %s batch is a DataFormatError naming the file', (_n, buf, message) => {
    expect(() => parseCifarBatch(buf as Buffer, 'b.bin')).toThrow(DataFormatError);
    expect(() => parseCifarBatch(buf as Buffer, 'b.bin')).toThrow(message);
  });
  test('encoding a batch is the inverse of parsing it', () => {
    const s = parseCifarBatch(cifarBatch(3, 5), 'b.bin');
    expect(parseCifarBatch(encodeCifarBatch(s.x, s.y), 'c.bin')).toEqual(s);
  });
  test('loads a local directory of the six files', () => {
    const dir = path.join(tmp, 'cifar-local');
    writeCifarFiles(dir, 7);
    const ds = loadCifar10Dir(dir);
    expect([ds.train.n, ds.test.n, ds.shape]).toEqual([35, 7, [32, 32, 3]]);
  });
  test('downloads, checks and extracts the official archive layout', async () => {
    const archive = cifarArchive(5);
    const fetcher = serve({ 'cifar-10-binary.tar.gz': archive });
    const dir = path.join(tmp, 'cifar-dl');
    await expect(loadCifar10(dir, fetcher)).rejects.toThrow(/sha256 .* does not match the published c4a38c50/);
    const ds = await loadCifar10(dir, fetcher, { ...CIFAR10_ARCHIVE, sha256: sha256(archive) });
    expect([ds.train.n, ds.test.n]).toEqual([25, 5]);
    expect(fs.existsSync(path.join(dir, 'cifar-10-batches-bin', 'test_batch.bin'))).toBe(true);
  });
  test('a truncated archive is a DataFormatError', () => {
    const tar = writeTar([{ name: 'a', data: Buffer.alloc(1000, 1) }]);
    expect(() => readTar(tar.subarray(0, 900), 'x.tar')).toThrow(/x\.tar: truncated tar archive: a needs 1000 bytes/);
  });
});

describe('dataset sources and provenance', () => {
  const fm = { model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', probes: ['loss'] } as const;
  test('a missing data directory is a DataMissingError naming it', async () => {
    const cfg = makeConfig({ ...fm, dataDir: path.join(tmp, 'nope') });
    await expect(loadDataset(cfg)).rejects.toThrow(DataMissingError);
    await expect(loadDataset(cfg)).rejects.toThrow(/nope: the data directory does not exist/);
  });
  test.each([
    ['an empty directory', (d: string) => fs.mkdirSync(d, { recursive: true }), /holds no Fashion-MNIST: missing train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz, t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz/],
    ['a file', (d: string) => fs.writeFileSync(d, 'x'), /is not a directory/],
    ['a folder missing one IDX file', (d: string) => {
      writeFashionMnistFiles(d, 10, 10);
      fs.rmSync(path.join(d, 't10k-labels-idx1-ubyte.gz'));
    }, /missing t10k-labels-idx1-ubyte\.gz \(here/],
  ])('a --data-dir that is %s is refused (never the npm copy instead), naming what is missing', async (name, make, message) => {
    const dir = path.join(tmp, `given-${name.replace(/ /g, '-')}`);
    make(dir);
    await expect(loadDataset(makeConfig({ ...fm, dataDir: dir }))).rejects.toThrow(message);
  });
  test('the source used is recorded with checksums and distinguishes the data identity', async () => {
    const dir = path.join(tmp, 'fm-prov');
    writeFashionMnistFiles(dir, 12, 6);
    const files = await loadDataset(makeConfig({ ...fm, dataDir: dir }));
    expect(files.provenance.kind).toBe('files');
    expect(files.provenance.files.map((f) => f.name).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    expect(files.provenance.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const npm = await loadDataset(makeConfig({ ...fm, dataSource: 'npm' }));
    expect(npm.provenance.kind).toBe('npm');
    expect(npm.provenance.id).not.toBe(files.provenance.id);
    await expect(loadDataset(makeConfig({ ...fm, dataSource: 'npm', dataDir: dir }))).rejects.toThrow(/config\.dataDir: got .*; allowed: '' with dataSource 'npm'/);
  });
  test('a training split with 0 images is a DataFormatError', async () => {
    const dir = path.join(tmp, 'fm-empty');
    writeFashionMnistFiles(dir, 0, 5);
    await expect(loadDataset(makeConfig({ ...fm, dataDir: dir }))).rejects.toThrow(/train-images-idx3-ubyte\.gz: the training split holds 0 images/);
  });
  test("dataSource 'npm' is refused for CIFAR-10", async () => {
    const cfg = makeConfig({ input: 'cifar10', inputDim: 3072, classes: 10, loss: 'softmax-ce', probes: ['loss'], dataSource: 'npm' });
    await expect(loadDataset(cfg)).rejects.toThrow(ConfigError);
  });
  test('normalizations, shuffled epochs over train and a probe set from test', async () => {
    const dir = path.join(tmp, 'cifar-task');
    writeCifarFiles(dir, 20);
    const base = { input: 'cifar10', inputDim: 3072, classes: 10, loss: 'softmax-ce', probes: ['loss'], dataDir: dir } as const;
    const unit = await memberData(makeConfig({ ...base, normalize: 'unit' }));
    const x = new Float32Array(100 * 3072);
    const y = new Float32Array(100);
    unit.batch(0, 100, 100, x, y, 0);
    expect(x.reduce((a, v) => Math.max(a, v), -Infinity)).toBeLessThanOrEqual(1);
    expect(x.reduce((a, v) => Math.min(a, v), Infinity)).toBeGreaterThanOrEqual(0);
    const std = await memberData(makeConfig({ ...base, normalize: 'standardize' }));
    std.batch(0, 100, 100, x, y, 0);
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(Math.abs(variance - 1)).toBeLessThan(1e-2);
    expect(unit.probeSet(7).size).toBe(7);
    // every training image once per epoch (100 = one epoch of 5 × 20)
    const a = new Float32Array(3072);
    const seen = new Set<string>();
    for (let t = 0; t < 100; t++) {
      unit.batch(t, 1, 1, a, y, 0);
      seen.add(a.slice(0, 8).join(','));
    }
    expect(seen.size).toBe(100);
    // a training sample is the start of the training split, built without the rest
    const set = unit.trainSet()!;
    const sample = unit.trainSample(7)!;
    expect(set.size).toBe(100);
    expect(sample.size).toBe(7);
    expect(Array.from(sample.x)).toEqual(Array.from(set.x.subarray(0, 7 * 3072)));
    expect(Array.from(sample.y)).toEqual(Array.from(set.y.subarray(0, 7)));
    expect(unit.trainSample(1000)!.size).toBe(100);
  });
});

test('a synthetic training sample is the start of the fixed training set (null online)', async () => {
  const fixed = await memberData(makeConfig({ inputDim: 5, trainSize: 30, seed: 3 }));
  const set = fixed.trainSet()!;
  const sample = fixed.trainSample(4)!;
  expect(Array.from(sample.x)).toEqual(Array.from(set.x.subarray(0, 20)));
  expect(Array.from(sample.y)).toEqual(Array.from(set.y.subarray(0, 4)));
  expect(fixed.trainSample(100)!.size).toBe(30);
  const online = await memberData(makeConfig({ inputDim: 5, seed: 3 }));
  expect(online.trainSet()).toBeNull();
  expect(online.trainSample(4)).toBeNull();
});
