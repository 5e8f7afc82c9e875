import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordsError } from '../core/errors.js';
import { atomicTempPath, ensureWritableDir, jsonErrorOffset, parseJson, readJson, writeError, writeFileAtomic, writeJsonAtomic } from './files.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-files-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The temp file writeFileAtomic uses for `file` in this process. */
const tempOf = (file: string) => atomicTempPath(file);
/** Runs `fn`, expecting a one-line RecordsError; returns its message. */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RecordsError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a RecordsError');
}

describe('writeFileAtomic', () => {
  test('writes the whole text and leaves no temp file', () => {
    const file = path.join(tmp, 'ok.txt');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a full disk (ENOSPC mid-write) leaves the previous file whole and no temp file; a rerun succeeds', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'full-'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, 'previous report');
    fs.symlinkSync('/dev/full', tempOf(file)); // every write to the temp file fails with ENOSPC
    const message = failure(() => writeFileAtomic(file, 'x'.repeat(100_000)));
    expect(message).toBe(`${file}: cannot write: no space left on the device (ENOSPC); the file was left as it was`);
    expect(fs.readFileSync(file, 'utf8')).toBe('previous report');
    expect(fs.readdirSync(dir)).toEqual(['report.html']);
    writeFileAtomic(file, 'new report');
    expect(fs.readFileSync(file, 'utf8')).toBe('new report');
  });

  test('a directory where the file should go (EISDIR at the rename) is named; nothing is left behind; a rerun succeeds', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'isdir-'));
    const file = path.join(dir, 'summary.json');
    fs.mkdirSync(file);
    const message = failure(() => writeJsonAtomic(file, { a: 1 }));
    expect(message).toBe(`${file}: cannot write: a directory is in the way (EISDIR); the file was left as it was`);
    expect(fs.readdirSync(dir)).toEqual(['summary.json']);
    fs.rmdirSync(file);
    writeJsonAtomic(file, { a: 1 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 1 });
  });

  test('a file where the directory should be (ENOTDIR) and a name too long (ENAMETOOLONG) are named in words', () => {
    const notDir = path.join(tmp, 'plain-file');
    fs.writeFileSync(notDir, '');
    expect(failure(() => writeFileAtomic(path.join(notDir, 'records.csv'), 'a'))).toMatch(
      /plain-file\/records\.csv: cannot write: a component of the path is not a directory \(ENOTDIR\)/,
    );
    const long = path.join(tmp, `${'n'.repeat(300)}.csv`);
    expect(failure(() => writeFileAtomic(long, 'a'))).toMatch(/n{300}\.csv: cannot write: the file name is too long \(ENAMETOOLONG\)/);
  });

  test('a read-only directory (EACCES) is named; a rerun after making it writable succeeds', () => {
    if (process.getuid?.() === 0) return; // root writes anyway
    const dir = fs.mkdtempSync(path.join(tmp, 'ro-'));
    const file = path.join(dir, 'report.html');
    fs.chmodSync(dir, 0o500);
    try {
      expect(failure(() => writeFileAtomic(file, 'a'))).toMatch(/report\.html: cannot write: permission denied \(EACCES\)/);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
    writeFileAtomic(file, 'a');
    expect(fs.readdirSync(dir)).toEqual(['report.html']);
  });

  test.each([
    ['EROFS', 'read-only file system (EROFS)'],
    ['EDQUOT', 'disk quota exceeded (EDQUOT)'],
    ['EACCES', 'permission denied (EACCES)'],
    ['EWHATEVER', 'EWHATEVER'],
  ])('error code %s is said in words', (code, words) => {
    const err = Object.assign(new Error(`${code}: something\nwith a second line`), { code });
    expect(writeError('/r/x.json', err).message).toBe(`/r/x.json: cannot write: ${words}; the file was left as it was`);
  });
});

describe('ensureWritableDir', () => {
  test('makes the missing levels; a pseudo file system where mkdir fails (/proc) is a RecordsError at once, not a hang', () => {
    const deep = path.join(tmp, 'a', 'b', 'c');
    ensureWritableDir(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    ensureWritableDir(deep); // existing: fine
    if (fs.existsSync('/proc/self')) expect(() => ensureWritableDir('/proc/thermo-test/x')).toThrow(/proc\/thermo-test\/x: results directory is not writable \(ENOENT\)/);
    const file = path.join(tmp, 'plain-file');
    fs.writeFileSync(file, '');
    expect(() => ensureWritableDir(path.join(file, 'sub'))).toThrow(RecordsError);
  });
});

describe('readJson', () => {
  test.each([
    ['garbage\nmore garbage\n', /: malformed JSON at line 1, column 1: Unexpected token 'g'$/],
    ['{\n  "state": "finished",\n  step: 3\n}\n', /: malformed JSON at line 3, column 3: Expected double-quoted property name$/],
    ['{"state": "finished",\n "step": 3', /: malformed JSON at line 2, column 11 \(end of file\): /],
    ['', /: malformed JSON at line 1, column 1 \(end of file\): Unexpected end of JSON input$/],
    ['{"a": 1}\n}', /: malformed JSON at line 2, column 1: Unexpected non-whitespace character after JSON$/],
    ['{"a": [1, 2,, 3]}', /: malformed JSON at line 1, column 13: /],
    ['{"a": "tab\there"}', /: malformed JSON at line 1, column 11: /],
  ])('malformed JSON %j: one line, with line and column', (text, pattern) => {
    const file = path.join(tmp, 'status.json');
    fs.writeFileSync(file, text);
    const message = failure(() => readJson(file));
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).toMatch(pattern);
  });

  test('a UTF-8 byte order mark at the start is allowed', () => {
    const file = path.join(tmp, 'bom.json');
    fs.writeFileSync(file, '\uFEFF{"state": "finished", "step": 3}\n');
    expect(readJson(file)).toEqual({ state: 'finished', step: 3 });
  });

  test('a missing file is named', () => {
    expect(failure(() => readJson(path.join(tmp, 'absent.json')))).toMatch(/absent\.json: cannot read \(ENOENT\)/);
  });

  test('the error offset agrees with V8 wherever V8 gives one', () => {
    for (const text of ['[1,2', '{"a":1}x', '{"a" 1}', '[01]', '{"a":tru}', '{"a":"\\x"}', '[1,]', '-', '"abc']) {
      const v8 = (() => {
        try {
          JSON.parse(text);
          return null;
        } catch (err) {
          return /at position (\d+)/.exec((err as Error).message)?.[1] ?? null;
        }
      })();
      const ours = jsonErrorOffset(text);
      expect(ours).toBeGreaterThanOrEqual(0);
      if (v8 !== null) expect([text, Math.abs(ours - Number(v8)) <= 1]).toEqual([text, true]);
    }
    for (const text of ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' 3 ']) expect(jsonErrorOffset(text)).toBe(-1);
    expect(() => parseJson('[1,', 'f.json')).toThrow(/^f\.json: malformed JSON at line 1, column 4 \(end of file\)/);
  });
});

test('temp files are per thread: a worker thread\'s differs from the calling thread\'s', () => {
  const file = path.join(tmp, 'x.json');
  expect(path.basename(atomicTempPath(file))).toMatch(new RegExp(`^\\.x\\.json\\.${process.pid}\\.\\d+\\.tmp$`));
  expect(atomicTempPath(file, 7)).not.toBe(atomicTempPath(file, 8));
});
