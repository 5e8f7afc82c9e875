/** Finding sweep directories (those holding sweep.json) under a directory, at any depth. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Deepest directory level searched below the start. */
const MAX_DEPTH = 8;

/** The sweep directories at or under `dir` (not looking inside a sweep's own `runs/`), sorted. */
export function findSweeps(dir: string, depth = 0): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  if (fs.existsSync(path.join(dir, 'sweep.json'))) return [dir];
  if (depth >= MAX_DEPTH) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) out.push(...findSweeps(path.join(dir, e.name), depth + 1));
  }
  return out;
}
