/**
 * Planar copies (kernels/convPlanar.ts) kept from one kernel to the next, in a zone of the GEMM engine's
 * memory that the arena leaves alone: a conv layer's forward kernel keeps its input's copy (which its gradient
 * reads again) and writes its output's (the next layer's input), and the gradient kernel writes the layer
 * below's dz = dx·[x > 0] while computing dx. Each copy is filed under the tfjs data it copies (tensors are
 * immutable, and a data id is never reused), its layout and, for a masked copy, the mask's data; the zone is a
 * ring, so the oldest copies are overwritten first, and a kernel that finds nothing spreads the tensor itself.
 */
import { planarSpan, type Planar } from './convPlanar.js';
import type { GemmEngine } from './gemmEngine.js';

/** Bytes of the zone: CNN6 at batch 32 keeps 12 MB a step. */
const ZONE_BYTES = 32 << 20;

interface Entry {
  dataId: object;
  key: string;
  mask: object | null;
  planar: Planar;
  end: number;
}

/** Whether [a0, a1) and [b0, b1) overlap. */
const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;

/** The layout part of a key. */
function layoutKey(p: Omit<Planar, 'addr'>): string {
  return `${p.n},${p.c},${p.h},${p.w},${p.hp},${p.S},${p.P},${p.top},${p.left}`;
}

/** The planar copies of one engine. */
export class PlanarCache {
  private readonly byData = new WeakMap<object, Entry[]>();
  /** Entries in the order they were written. */
  private live: Entry[] = [];
  private readonly start: number;
  private readonly end: number;
  private next: number;
  /** Rooms whose padding is zero (every room is written within the data, or whole). */
  private zeroed: { addr: number; bytes: number; key: string }[] = [];

  constructor(private readonly engine: GemmEngine, bytes = ZONE_BYTES) {
    this.start = engine.zone(bytes);
    this.end = this.start + bytes;
    this.next = this.start;
  }

  /** The copy of `dataId`'s tensor in `layout` (masked by `mask`'s data, or unmasked for null), if kept. */
  find(dataId: object, layout: Omit<Planar, 'addr'>, mask: object | null = null): Planar | null {
    const key = layoutKey(layout);
    const hit = this.byData.get(dataId)?.find((x) => x.key === key && x.mask === mask);
    return hit ? hit.planar : null;
  }

  /**
   * Room for a copy in `layout` that overlaps none of `keep` (copies the calling kernel still reads), overwriting
   * the oldest copies, zeroed but for the data (which the caller writes whole); null when there is none.
   */
  alloc(layout: Omit<Planar, 'addr'>, keep: Planar[] = []): Planar | null {
    const bytes = Math.ceil(planarSpan(layout) / 64) * 64;
    if (bytes > this.end - this.start) return null;
    const clear = (a: number) => keep.every((p) => !overlaps(a, a + bytes, p.addr, p.addr + planarSpan(p)));
    let addr = this.next + bytes <= this.end ? this.next : this.start;
    if (!clear(addr)) {
      if (addr === this.start || !clear(this.start)) return null;
      addr = this.start;
    }
    this.evict(addr, addr + bytes);
    this.next = addr + bytes;
    // the data is the writer's: zeros around it, and after it for the kernels' reads past the end; a room that
    // had this layout last time still has them (writers write the data only, or the whole room with zeros)
    const key = layoutKey(layout);
    const same = this.zeroed.find((r) => r.addr === addr && r.bytes === bytes && r.key === key);
    if (!same) {
      const { n, h, w, c, P, S, top, left } = layout;
      this.engine.zeroPadding(addr, n, h, w, c, P, S, top, left);
      this.engine.f32.fill(0, (addr + n * c * P * 4) >>> 2, (addr + bytes) >>> 2);
      this.zeroed = this.zeroed.filter((r) => !overlaps(addr, addr + bytes, r.addr, r.addr + r.bytes));
      this.zeroed.push({ addr, bytes, key });
    }
    return { ...layout, addr };
  }

  /** Files `planar` (room from {@link alloc}, now written) under `dataId` and `mask`. */
  add(dataId: object, planar: Planar, mask: object | null = null): void {
    const entry: Entry = { dataId, key: layoutKey(planar), mask, planar, end: planar.addr + planarSpan(planar) };
    this.live.push(entry);
    const list = this.byData.get(dataId);
    if (list) list.push(entry);
    else this.byData.set(dataId, [entry]);
  }

  /** Forgets the copies in [a, b). */
  private evict(a: number, b: number): void {
    const gone = this.live.filter((x) => overlaps(a, b, x.planar.addr, x.end));
    if (gone.length === 0) return;
    this.live = this.live.filter((x) => !gone.includes(x));
    for (const x of gone) {
      const list = this.byData.get(x.dataId)?.filter((y) => y !== x);
      if (list && list.length) this.byData.set(x.dataId, list);
      else this.byData.delete(x.dataId);
    }
  }
}

const caches = new WeakMap<GemmEngine, PlanarCache>();

/** The cache of engine `e` (created, with its zone, on first use: call before the kernel's e.reset()). */
export function planarCache(e: GemmEngine): PlanarCache {
  let c = caches.get(e);
  if (!c) {
    c = new PlanarCache(e);
    caches.set(e, c);
  }
  return c;
}
