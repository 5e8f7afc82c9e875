// Test helper: opens an HTML file in headless Chromium (playwright-core) and reports what the page did.
// The browser is the one shipped in the npm package @sparticuz/chromium, with the NSS libraries it ships
// for machines that lack them, so `npm install && npm test` needs no apt step; CHROMIUM_PATH names
// another binary instead.
import * as fs from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { chromium } from 'playwright-core';

/** Flags passed to Chromium besides @sparticuz/chromium's own: no sandbox, no GPU, no network of its own. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let unpacked: Promise<string> | null = null;

/**
 * The Chromium binary to drive: `CHROMIUM_PATH` when set, else the one shipped in @sparticuz/chromium,
 * unpacked once (binary, fonts, SwiftShader, NSS libraries) into `<tmp>/thermo-chromium-<version>-<uid>/`. It is unpacked
 * into a fresh staging directory that is then renamed into place, so a run killed while unpacking, or two
 * test files unpacking at once, never leave a truncated binary that a later run would take for a whole one
 * (the package's own `executablePath()` writes `<tmp>/chromium` in place and trusts any file there).
 */
export function chromiumPath(): Promise<string> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!fs.existsSync(override)) {
      return Promise.reject(new Error(`CHROMIUM_PATH=${override}: no such file; unset it to use @sparticuz/chromium's`));
    }
    return Promise.resolve(override);
  }
  unpacked ??= unpackChromium().catch((err: unknown) => {
    unpacked = null;
    throw err;
  });
  return unpacked;
}

async function unpackChromium(): Promise<string> {
  const pkgDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = path.join(os.tmpdir(), `thermo-chromium-${version}-${process.getuid?.() ?? 'user'}`);
  const exe = path.join(dir, 'chromium');
  if (fs.existsSync(exe)) return exe;
  const bin = path.join(pkgDir, 'bin');
  removeStaleStaging(dir);
  const staging = fs.mkdtempSync(`${dir}.unpacking-`);
  try {
    const binary = fs.createWriteStream(path.join(staging, 'chromium'), { mode: 0o700 });
    await pipeline(fs.createReadStream(path.join(bin, 'chromium.br')), zlib.createBrotliDecompress(), binary);
    fs.mkdirSync(path.join(staging, 'fonts'));
    await untarBrotli(path.join(bin, 'fonts.tar.br'), path.join(staging, 'fonts'));
    await untarBrotli(path.join(bin, 'swiftshader.tar.br'), staging); // libGLESv2.so etc. beside the binary
    fs.mkdirSync(path.join(staging, 'al2023'));
    await untarBrotli(path.join(bin, 'al2023.tar.br'), path.join(staging, 'al2023')); // lib/libnss3.so, ...
    try {
      fs.renameSync(staging, dir);
    } catch (err) {
      if (!fs.existsSync(exe)) throw err; // else another process finished first: use its copy
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return exe;
}

/** Removes staging directories of `dir` left by runs killed while unpacking (untouched for an hour). */
function removeStaleStaging(dir: string): void {
  const prefix = `${path.basename(dir)}.unpacking-`;
  for (const name of fs.readdirSync(path.dirname(dir))) {
    const stale = path.join(path.dirname(dir), name);
    try {
      if (name.startsWith(prefix) && Date.now() - fs.statSync(stale).mtimeMs > 3600_000) fs.rmSync(stale, { recursive: true, force: true });
    } catch {
      /* another process removed it */
    }
  }
}

/** Extracts a brotli-compressed tar file into `dir` with the system's `tar`. */
async function untarBrotli(file: string, dir: string): Promise<void> {
  const tar = spawn('tar', ['-x', '--no-same-owner', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`tar -x ${file}: exit ${code}: ${stderr.trim().split('\n')[0]}`));
    });
  });
  // tar may exit once it has read the end-of-archive blocks, before the zero padding after them: that is no error
  const fed = pipeline(fs.createReadStream(file), zlib.createBrotliDecompress(), tar.stdin).then(
    () => null,
    (err: NodeJS.ErrnoException) => err,
  );
  await exited;
  const err = await fed;
  if (err && err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
}

/** Shared libraries `exe` needs that the system lacks, from `ldd` (null when `ldd` cannot tell). */
export function missingLibraries(exe: string, env: NodeJS.ProcessEnv = process.env): string[] | null {
  const out = spawnSync('ldd', [exe], { encoding: 'utf8', env });
  if (out.error || out.status !== 0) return null;
  return [...out.stdout.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]);
}

/**
 * The environment Chromium runs in: its fonts and, when `bundledLibraries` (by default: when the system lacks a
 * library it needs, e.g. libnss3 on a bare Debian), the NSS, NSPR and expat libraries unpacked beside it.
 */
export function chromiumEnv(exe: string, bundledLibraries?: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const fonts = path.join(path.dirname(exe), 'fonts');
  if (fs.existsSync(fonts)) env.FONTCONFIG_PATH = fonts;
  const libs = path.join(path.dirname(exe), 'al2023', 'lib');
  if (!fs.existsSync(libs)) return env;
  if (bundledLibraries ?? (missingLibraries(exe) ?? ['unknown']).length > 0) {
    env.LD_LIBRARY_PATH = [libs, ...(env.LD_LIBRARY_PATH ? [env.LD_LIBRARY_PATH] : [])].join(':');
  }
  return env;
}

/** What a page showed once loaded. */
/** A box on the page, in CSS pixels. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Where a panel's parts landed: the plot area, legend, toolbar, y tick labels, and its title's lines. */
export interface PanelLayout {
  id: string;
  plotArea: Box | null;
  legend: Box | null;
  modebar: Box | null;
  yTicks: Box[];
  /** The panel title's height over its line height (1: one line). */
  titleLines: number;
  /** Whether the panel title is cut by its width (it then ends in an ellipsis, its full text on hover). */
  titleClipped: boolean;
}

export interface PageCheck {
  errors: string[];
  panels: { id: string; traces: number; drawn: number }[];
  /** Per `.plot`, where its parts landed. */
  layout: PanelLayout[];
  plotted: number;
  title: string;
}

/** Whether two boxes share any area. */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Loads `file` with the network blocked, waits for every plot, and counts traces per panel. `bundledLibraries`
 * forces (or forbids) the libraries shipped with the browser; by default they are used where the system lacks them.
 */
export async function checkPage(file: string, expectedPanels: number, opts: { bundledLibraries?: boolean } = {}): Promise<PageCheck> {
  const executablePath = await chromiumPath();
  const browser = await chromium.launch({
    executablePath,
    args: [...new Set([...sparticuz.args, ...CHROMIUM_FLAGS])],
    env: chromiumEnv(executablePath, opts.bundledLibraries),
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route(/^https?:/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction((n) => (window as unknown as { __plotted: number }).__plotted >= n, expectedPanels, { timeout: 60000 });
    const result = await page.evaluate(() => {
      const plots = Array.from(document.querySelectorAll('.plot')) as (HTMLElement & { data?: unknown[] })[];
      const box = (el: Element | null) => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null;
      };
      const layout = plots.map((p) => {
        const h3 = p.parentElement?.querySelector('h3') as HTMLElement | null;
        const lineHeight = h3 ? parseFloat(getComputedStyle(h3).lineHeight) || 1.2 * parseFloat(getComputedStyle(h3).fontSize) : 1;
        return {
          id: p.id,
          plotArea: box(p.querySelector('.draglayer .nsewdrag')),
          legend: box(p.querySelector('.legend')),
          modebar: box(p.querySelector('.modebar')),
          yTicks: Array.from(p.querySelectorAll('.ytick text')).map(box).filter((b) => b !== null),
          titleLines: h3 ? h3.getBoundingClientRect().height / lineHeight : 0,
          titleClipped: h3 ? h3.scrollWidth > h3.clientWidth : false,
        };
      });
      return {
        layout,
        panels: plots.map((p) => ({ id: p.id, traces: p.data?.length ?? 0, drawn: p.querySelectorAll('.scatterlayer .trace').length })),
        plotted: (window as unknown as { __plotted: number }).__plotted,
        title: document.title,
      };
    });
    return { errors, ...result };
  } finally {
    await browser.close();
  }
}
