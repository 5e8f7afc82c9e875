/**
 * Runs the PyTorch peer (benchmarks/peers/torch_peer.py) and returns what it printed: the same
 * training steps as benchmarks/kernels.ts, timed in PyTorch (CPU, or CUDA on a GPU machine).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One case as the peer reports it. */
export interface PeerCase {
  name: string;
  unit: string;
  stepsPerSecond: number;
  msPerStep: number;
  rounds: number[];
}

/** The peer's answer: `available: false` (with a reason) when torch or the device is missing. */
export interface PeerResult {
  available: boolean;
  reason?: string;
  torch?: string;
  device?: string;
  threads?: number;
  cases?: Record<string, PeerCase>;
}

/** Options of {@link runTorchPeer}. */
export interface TorchPeerOptions {
  /** torch.set_num_threads (default: torch's default). */
  threads?: number;
  device?: 'cpu' | 'cuda';
  /** About this many seconds per case. */
  seconds?: number;
  /** Case ids (default: all for the device). */
  cases?: string[];
  /** The Python interpreter: $THERMO_TORCH_PYTHON, else /usr/bin/python3 when present, else python3. */
  python?: string;
  /** Wall-clock limit, ms (default 10 minutes). */
  timeoutMs?: number;
}

/** The peer script's path (beside this file, else in benchmarks/peers of the nearest ancestor directory). */
export function torchPeerScript(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    for (const p of [path.join(dir, 'torch_peer.py'), path.join(dir, 'benchmarks', 'peers', 'torch_peer.py')]) {
      if (fs.existsSync(p)) return p;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error('benchmarks/peers/torch_peer.py not found');
}

/** Runs the peer synchronously; a missing interpreter or a crash is reported as unavailable. */
export function runTorchPeer(opts: TorchPeerOptions = {}): PeerResult {
  const python = opts.python ?? process.env.THERMO_TORCH_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const args = [torchPeerScript(), '--device', opts.device ?? 'cpu', '--seconds', String(opts.seconds ?? 1)];
  if (opts.threads) args.push('--threads', String(opts.threads));
  if (opts.cases?.length) args.push('--cases', opts.cases.join(','));
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 600_000 });
  if (r.error) return { available: false, reason: `${python}: ${r.error.message}` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PeerResult;
  } catch {
    return { available: false, reason: `torch peer exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` };
  }
}
