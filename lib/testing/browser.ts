// Test helper: opens an HTML file in Debian's headless Chromium (playwright-core) and reports what the page did.
import * as fs from 'node:fs';
import { chromium } from 'playwright-core';

/** Path of the Chromium binary (Debian's `chromium` package; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What a page showed once loaded. */
export interface PageCheck {
  errors: string[];
  panels: { id: string; traces: number; drawn: number }[];
  plotted: number;
  title: string;
}

/** Loads `file` with the network blocked, waits for every plot, and counts traces per panel. */
export async function checkPage(file: string, expectedPanels: number): Promise<PageCheck> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
      return {
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
