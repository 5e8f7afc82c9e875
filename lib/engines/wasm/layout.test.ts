import { instantiate, sharedMemory } from '../../backend/wasmModules.js';
import { TWO_LAYER_MODULE } from './kernel.js';
import { HDR, INPUT_CODES, LOSS_CODES, planLayout, REC, scratchBytes, TABLE_BYTES } from './layout.js';

test("the TS layout mirrors the module's exported HDR_*, REC_*, LOSS_* and INPUT_* globals", () => {
  const exports = instantiate(TWO_LAYER_MODULE, sharedMemory(16));
  const value = (name: string) => (exports[name] as WebAssembly.Global).value as number;
  const snake = (k: string) => k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  for (const [k, v] of Object.entries(HDR)) expect([k, value(`HDR_${snake(k)}`)]).toEqual([k, v]);
  for (const [k, v] of Object.entries(REC)) expect([k, value(`REC_${snake(k)}`)]).toEqual([k, v]);
  for (const [k, v] of Object.entries(LOSS_CODES)) expect([k, value(`LOSS_${k.replace('-', '_').toUpperCase()}`)]).toEqual([k, v]);
  for (const [k, v] of Object.entries(INPUT_CODES)) expect([k, value(`INPUT_${k.toUpperCase()}`)]).toEqual([k, v]);
  expect(value('TABLE_BYTES')).toBe(TABLE_BYTES);
});

test('planned regions are 64-byte aligned, padded to 4 and do not overlap', () => {
  const L = planLayout(1000, 13, 10, 3, 3, 5, 2);
  expect([L.Mp, L.Np]).toEqual([16, 12]);
  const regions: [number, number][] = [[L.header, HDR.BYTES + 3 * REC.BYTES], [L.tables, TABLE_BYTES]];
  for (const p of L.params) regions.push([p.W, 12 * 16 * 4], [p.b, 12 * 4], [p.V, 3 * 12 * 4]);
  for (const a of L.lists) regions.push([a, 3 * 4]);
  for (const a of L.scratch) regions.push([a, scratchBytes(5, 16, 12, 3)]);
  regions.sort((a, b) => a[0] - b[0]);
  expect(regions[0][0]).toBeGreaterThanOrEqual(1000);
  for (let i = 0; i < regions.length; i++) {
    expect(regions[i][0] % 64).toBe(0);
    if (i > 0) expect(regions[i][0]).toBeGreaterThanOrEqual(regions[i - 1][0] + regions[i - 1][1]);
  }
  expect(L.end).toBeGreaterThanOrEqual(regions[regions.length - 1][0] + regions[regions.length - 1][1]);
});
