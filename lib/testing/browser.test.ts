import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkPage, chromiumEnv, chromiumPath, missingLibraries } from './browser.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-browser-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("without CHROMIUM_PATH the browser is @sparticuz/chromium's, unpacked into the temp directory (no apt package)", async () => {
  const saved = process.env.CHROMIUM_PATH;
  delete process.env.CHROMIUM_PATH;
  try {
    const exe = await chromiumPath();
    expect(exe).toMatch(new RegExp(`^${os.tmpdir()}/thermo-chromium-[0-9.]+-\\w+/chromium$`));
    expect(fs.statSync(exe).mode & 0o100).toBeTruthy();
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.includes('.unpacking-'))).toEqual([]);
  } finally {
    if (saved !== undefined) process.env.CHROMIUM_PATH = saved;
  }
});

test('CHROMIUM_PATH overrides the bundled browser; a missing one is named', async () => {
  const saved = process.env.CHROMIUM_PATH;
  process.env.CHROMIUM_PATH = path.join(tmp, 'no-chromium');
  try {
    await expect(chromiumPath()).rejects.toThrow(/CHROMIUM_PATH=.*no-chromium: no such file/);
  } finally {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  }
});

test('the NSS libraries shipped with the browser stand in for missing system ones (a bare Debian has no libnss3)', async () => {
  const saved = process.env.CHROMIUM_PATH;
  delete process.env.CHROMIUM_PATH;
  try {
    const exe = await chromiumPath();
    const libs = path.join(path.dirname(exe), 'al2023', 'lib');
    const ldd = spawnSync('ldd', [exe], { encoding: 'utf8', env: chromiumEnv(exe, true) });
    expect(ldd.stdout).toContain(`libnss3.so => ${libs}/libnss3.so`);
    expect(missingLibraries(exe, chromiumEnv(exe, true))).toEqual([]);
    const file = path.join(tmp, 'bundled.html');
    fs.writeFileSync(file, '<!doctype html><title>bundled</title><script>window.__plotted = 0;</script>');
    expect((await checkPage(file, 0, { bundledLibraries: true })).title).toBe('bundled');
  } finally {
    if (saved !== undefined) process.env.CHROMIUM_PATH = saved;
  }
});

test('a page is loaded offline: its plots, title, script errors and network requests are reported', async () => {
  const file = path.join(tmp, 'page.html');
  fs.writeFileSync(
    file,
    `<!doctype html><title>browser check</title><div class="plot" id="p1"></div>
<script>
  const p = document.getElementById('p1');
  p.data = [1, 2];
  p.innerHTML = '<g class="scatterlayer"><g class="trace"></g><g class="trace"></g></g>';
  console.error('boom');
  fetch('http://example.invalid/x').catch(() => {});
  window.__plotted = 1;
</script>`,
  );
  const page = await checkPage(file, 1);
  expect(page.title).toBe('browser check');
  expect(page.plotted).toBe(1);
  expect(page.panels).toEqual([{ id: 'p1', traces: 2, drawn: 2 }]);
  expect(page.errors).toEqual(expect.arrayContaining(['boom', 'network request: http://example.invalid/x']));
});
