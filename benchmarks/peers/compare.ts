/**
 * The library (tfjs-backend-wasm with the library's kernels, benchmarks/kernels.ts) and the PyTorch
 * peer (benchmarks/peers/torch_peer.py) on the same training steps, side by side in one run: the two
 * alternate for a few rounds so that both see the same machine. Run directly
 * (`node dist/benchmarks/peers/compare.js [--seconds S] [--rounds R] [--torch-threads N] [--no-kernels]
 * [--out FILE]`) it also prints the kernel micro-benchmarks, then library vs PyTorch and the ratio,
 * and writes everything to JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { gemmEngine } from '../../lib/backend/kernels/gemmEngine.js';
import { benchConvGradientRoutes, benchConvStats, benchKernels, benchModelSteps, type KernelRow } from '../kernels.js';
import { runTorchPeer, type PeerResult } from './torch.js';

/** One line of the side-by-side comparison. */
export interface PeerComparison {
  id: string;
  name: string;
  unit: string;
  library: number;
  torch: number | null;
  /** library / PyTorch, the ratio of the two medians above (> 1: the library is faster). */
  ratio: number | null;
  /** Each round's library / PyTorch, side by side in time (their spread shows how steady the machine was). */
  roundRatios?: number[];
}

/** The cases both sides time. */
export const PEER_CASES = ['fc6-b32', 'cnn6-b32', 'cifar-b1000', 'fc6-gradvar', 'ensemble-16'];

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Library (wasm, library kernels) and PyTorch (CPU, `torchThreads`) on {@link PEER_CASES}: `rounds`
 * alternations of the two, each case's rate the median over rounds and its ratio the ratio of those
 * medians (so that the printed rates and ratio agree); each round's own ratio is kept beside it.
 */
export async function compareWithTorch(
  seconds = 1,
  torchThreads?: number,
  rounds = 3,
): Promise<{ peer: PeerResult; peerRounds: PeerResult[]; rows: KernelRow[]; comparison: PeerComparison[] }> {
  const peers: PeerResult[] = [];
  const libs: KernelRow[][] = [];
  for (let r = 0; r < rounds; r++) {
    peers.push(runTorchPeer({ threads: torchThreads, seconds, cases: PEER_CASES }));
    libs.push(await benchModelSteps(seconds));
  }
  const rows = libs[0].map((row, i) => ({
    ...row,
    msPerCall: median(libs.map((l) => l[i].msPerCall)),
    rate: median(libs.map((l) => l[i].rate)),
  }));
  const comparison = rows.flatMap((r, i) => {
    if (!PEER_CASES.includes(r.id)) return [];
    const torch = peers.map((p) => (p.available ? p.cases?.[r.id]?.stepsPerSecond : undefined));
    const known = torch.filter((t): t is number => t !== undefined);
    const ratios = torch.flatMap((t, k) => (t === undefined ? [] : [libs[k][i].rate / t]));
    const torchRate = known.length ? median(known) : null;
    const ratio = torchRate ? r.rate / torchRate : null;
    return [{ id: r.id, name: r.name, unit: r.unit, library: r.rate, torch: torchRate, ratio, roundRatios: ratios }];
  });
  return { peer: peers[peers.length - 1], peerRounds: peers, rows, comparison };
}

function print(r: KernelRow): void {
  const time = `${r.msPerCall.toFixed(3).padStart(10)} ms ${r.rate.toFixed(2).padStart(10)} ${r.unit}`;
  console.log(`${r.variant.padEnd(38)} ${r.name.padEnd(66)} ${time}`);
}

async function main(argv: string[]): Promise<void> {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seconds = Number(opt('--seconds') ?? 1);
  const torchThreads = opt('--torch-threads') ? Number(opt('--torch-threads')) : undefined;
  const rounds = Number(opt('--rounds') ?? 3);
  const kernels: KernelRow[] = [];
  if (!argv.includes('--no-kernels')) {
    kernels.push(...(await benchKernels(seconds)));
    kernels.push(...(await benchConvGradientRoutes(seconds)), ...(await benchConvStats(seconds)));
  }
  kernels.forEach(print);
  const { peer, rows, comparison } = await compareWithTorch(seconds, torchThreads, rounds);
  const torch = peer.available
    ? `PyTorch ${peer.torch} on ${peer.device}, ${peer.threads} thread(s)`
    : `PyTorch unavailable: ${peer.reason}`;
  const e = gemmEngine();
  console.log(`\n${torch}; library on wasm, ${e.threads} thread(s), ${e.build}.wasm; medians of ${rounds} alternating rounds`);
  rows.forEach(print);
  for (const c of comparison) {
    const t = c.torch === null ? 'n/a' : c.torch.toFixed(1);
    const ratio = c.ratio === null ? 'n/a' : `${c.ratio.toFixed(2)}×`;
    console.log(`${c.id.padEnd(14)} library ${c.library.toFixed(1).padStart(9)}  PyTorch ${t.padStart(9)} ${c.unit.padEnd(16)} ${ratio}`);
  }
  const out = opt('--out');
  if (out) {
    const machine = { date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, build: e.build, threads: e.threads };
    fs.writeFileSync(out, JSON.stringify({ ...machine, kernels, peer, rows, comparison }, null, 2));
  }
  e.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
