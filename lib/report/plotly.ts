/** The plotly.js bundle, read from the installed `plotly.js-dist-min` package so reports can inline it (they open with no network). */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cached: string | null = null;

/** The minified plotly.js source. */
export function plotlySource(): string {
  cached ??= fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  return cached;
}
