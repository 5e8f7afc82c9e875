import { mulhi32, philox4x32 } from '../../core/philox.js';
import { EpochOrder, STREAM, StreamDraw, feistelBits, fmix32, permute, permutationKeys } from '../../data/stream.js';
import { describeWebgpu, runCompute, webgpuDevice } from '../../testing/webgpu.js';
import type { GpuDevice } from './gpu.js';
import { PHILOX_WGSL } from './philox.wgsl.js';
import { STREAM_WGSL } from './stream.wgsl.js';

/** A shader whose invocation g reads `inWords` words of case g and writes `outWords` words. */
function shader(inWords: number, outWords: number, body: string): string {
  return `${PHILOX_WGSL}\n${STREAM_WGSL}
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let g = gid.x;
  if (g * ${inWords}u >= arrayLength(&inp)) { return; }
  let a = g * ${inWords}u;
  let o = g * ${outWords}u;
  ${body}
}`;
}

async function run(device: GpuDevice, inWords: number, outWords: number, body: string, input: number[]): Promise<Uint32Array> {
  const cases = input.length / inWords;
  const out = await runCompute(device, shader(inWords, outWords, body), Uint32Array.from(input), cases * outWords, Math.ceil(cases / 64));
  return out;
}

/** A deterministic stream of 32-bit words for test inputs. */
function words(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => fmix32((i * 0x9e3779b9 + seed) >>> 0));
}

await describeWebgpu('WGSL translations of core/philox.ts and data/stream.ts', () => {
  let device: GpuDevice;
  beforeAll(async () => {
    device = await webgpuDevice();
  });

  test('Philox4x32-10 and mulhi32 are bit-identical to the TypeScript ones (known-answer vectors and 512 random inputs)', async () => {
    const kat = [
      [0, 0, 0, 0, 0, 0],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0],
    ];
    const input = [...kat.flat(), ...words(512 * 6, 7)];
    const out = await run(device, 6, 6, `
      let r = philox4x32(vec4<u32>(inp[a], inp[a + 1u], inp[a + 2u], inp[a + 3u]), vec2<u32>(inp[a + 4u], inp[a + 5u]));
      out[o] = r.x; out[o + 1u] = r.y; out[o + 2u] = r.z; out[o + 3u] = r.w;
      out[o + 4u] = mulhi32(inp[a], inp[a + 4u]);
      out[o + 5u] = mulhi32(inp[a + 1u], 0xffffffffu);`, input);
    expect(Array.from(out.subarray(0, 4), (x) => x.toString(16))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    for (let g = 0; g < input.length / 6; g++) {
      const c = input.slice(g * 6, g * 6 + 6);
      const want = [...philox4x32(c[0], c[1], c[2], c[3], c[4], c[5]), mulhi32(c[0], c[4]), mulhi32(c[1], 0xffffffff)];
      expect(Array.from(out.subarray(g * 6, g * 6 + 6))).toEqual(want);
    }
  });

  test('uniform inputs and labels (C = 1, 2, 3, 10, 1000) are bit-identical', async () => {
    const input = words(300 * 3, 11);
    const out = await run(device, 3, 9, `
      let w = stream_block(inp[a], STREAM_TRAIN_X, inp[a + 1u], inp[a + 2u], 1u);
      let u = uniform4(w);
      out[o] = bitcast<u32>(u.x); out[o + 1u] = bitcast<u32>(u.y); out[o + 2u] = bitcast<u32>(u.z); out[o + 3u] = bitcast<u32>(u.w);
      out[o + 4u] = stream_label(inp[a], STREAM_TRAIN_Y, inp[a + 1u], inp[a + 2u], 1u);
      out[o + 5u] = stream_label(inp[a], STREAM_SET_Y, inp[a + 1u], inp[a + 2u], 2u);
      out[o + 6u] = stream_label(inp[a], STREAM_TRAIN_Y, inp[a + 1u], inp[a + 2u], 3u);
      out[o + 7u] = stream_label(inp[a], STREAM_TRAIN_Y, inp[a + 1u], inp[a + 2u], 10u);
      out[o + 8u] = stream_label(inp[a], STREAM_TRAIN_Y, inp[a + 1u], inp[a + 2u], 1000u);`, input);
    const f = new Float32Array(out.buffer);
    const x = new Float32Array(8);
    for (let g = 0; g < 300; g++) {
      const [seed, t, i] = input.slice(g * 3, g * 3 + 3);
      const d = new StreamDraw(seed);
      d.sample('uniform', STREAM.trainX, t, i, 8, x, 0);
      expect(Array.from(f.subarray(g * 9, g * 9 + 4))).toEqual(Array.from(x.subarray(4, 8)));
      const labels = [d.label(STREAM.trainY, t, i, 1), d.label(STREAM.setY, t, i, 2), d.label(STREAM.trainY, t, i, 3),
        d.label(STREAM.trainY, t, i, 10), d.label(STREAM.trainY, t, i, 1000)];
      expect(Array.from(out.subarray(g * 9 + 4, g * 9 + 9))).toEqual(labels);
    }
  });

  test('Gaussian inputs agree within a few float32 ulp (Box–Muller in float32)', async () => {
    const n = 4000;
    const input = words(n * 3, 13);
    const out = await run(device, 3, 4, `
      let z = gaussian4(stream_block(inp[a], STREAM_SET_X, inp[a + 1u], inp[a + 2u], 0u));
      out[o] = bitcast<u32>(z.x); out[o + 1u] = bitcast<u32>(z.y);
      out[o + 2u] = bitcast<u32>(z.z); out[o + 3u] = bitcast<u32>(z.w);`, input);
    const f = new Float32Array(out.buffer);
    const x = new Float32Array(4);
    let worst = 0;
    for (let g = 0; g < n; g++) {
      const [seed, t, i] = input.slice(g * 3, g * 3 + 3);
      new StreamDraw(seed).sample('gaussian', STREAM.setX, t, i, 4, x, 0);
      // error in ulp of the pair's radius r (a component near 0 has an absolute, not relative, error)
      for (let e = 0; e < 4; e++) {
        const r = Math.hypot(x[e & 2], x[(e & 2) + 1]);
        worst = Math.max(worst, Math.abs(f[g * 4 + e] - x[e]) / Math.max(r, 2 ** -10) / 2 ** -23);
      }
    }
    expect(worst).toBeLessThan(4); // measured on llvmpipe: 1.2
  });

  test.each([1, 2, 3, 5, 16, 17, 100, 1000, 60000])('permute(r, %i) is bit-identical for every r', async (n) => {
    const rs = Array.from({ length: Math.min(n, 4096) }, (_, i) => (n <= 4096 ? i : (i * 977) % n));
    const input = rs.flatMap((r) => [r, n, 5, 3]);
    const out = await run(device, 4, 2, `
      let n = inp[a + 1u];
      let keys = perm_keys(inp[a + 2u], STREAM_ORDER, inp[a + 3u]);
      var h = 1u;
      while (h < 16u && (1u << (2u * h)) < n) { h++; }
      out[o] = permute_with_keys(inp[a], n, keys, h);
      out[o + 1u] = fmix32(inp[a] ^ keys.y);`, input);
    expect(4 ** feistelBits(n)).toBeGreaterThanOrEqual(n);
    rs.forEach((r, g) => {
      expect(out[g * 2]).toBe(permute(r, n, 5, STREAM.order, 3));
      expect(out[g * 2 + 1]).toBe(fmix32((r ^ permutationKeys(5, STREAM.order, 3)[1]) >>> 0));
    });
  });

  test("EpochOrder's slot → sample rule through divmod64 (t·|B| beyond 2³²) is bit-identical", async () => {
    const cases: number[][] = [];
    for (const n of [7, 50, 1000, 60000, 2 ** 31]) {
      for (const B of [1, 3, 7]) {
        for (const t of [0, 1, 9, 123457, 2 ** 32 - 2]) {
          if (B > n || Math.floor(((t + 1) * B) / n) >= 2 ** 32) continue;
          for (let b = 0; b < B; b++) cases.push([t, b, B, n]);
        }
      }
    }
    const out = await run(device, 4, 3, `
      let t = inp[a]; let b = inp[a + 1u]; let B = inp[a + 2u]; let n = inp[a + 3u];
      let qr = divmod64(mul64(t, B), n);
      var r = qr.y + b;
      var e = qr.x;
      if (r >= n) { r -= n; e += 1u; }
      var h = 1u;
      while (h < 16u && (1u << (2u * h)) < n) { h++; }
      out[o] = permute_with_keys(r, n, perm_keys(9u, STREAM_ORDER, e), h);
      out[o + 1u] = e;
      out[o + 2u] = r;`, cases.flat());
    cases.forEach(([t, b, B, n], g) => {
      const p = t * B + b;
      expect([out[g * 3 + 1], out[g * 3 + 2]]).toEqual([Math.floor(p / n), p % n]);
      expect(out[g * 3]).toBe(new EpochOrder(9, n).index(t, b, B));
    });
  });
});
