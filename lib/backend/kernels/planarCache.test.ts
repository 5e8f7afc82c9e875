import { jest } from '@jest/globals';
import { planarLayout, planarSpan, spread } from './convPlanar.js';
import { GemmEngine } from './gemmEngine.js';
import { PlanarCache } from './planarCache.js';
import { planarPaddingSum } from '../../testing/planar.js';

let e: GemmEngine;
beforeAll(() => {
  e = new GemmEngine(1);
});
afterAll(() => e.close());

const layout = planarLayout(2, 5, 6, 3, 1, 1, 7, 8);
const room = Math.ceil(planarSpan(layout) / 64) * 64;

test('copies are found under their data, layout and mask only', () => {
  const cache = new PlanarCache(e, 4 * room);
  e.reset();
  const a = {};
  const m = {};
  const p = cache.alloc(layout)!;
  cache.add(a, p);
  expect(cache.find(a, layout)).toEqual(p);
  expect(cache.find(a, layout, m)).toBeNull();
  expect(cache.find({}, layout)).toBeNull();
  expect(cache.find(a, { ...layout, top: 0 })).toBeNull();
  const q = cache.alloc(layout)!;
  cache.add(a, q, m);
  expect(cache.find(a, layout, m)).toEqual(q);
  expect(cache.find(a, layout)).toEqual(p);
});

test('the zone is a ring: the oldest copies are overwritten and forgotten; kept copies are never overwritten', () => {
  const cache = new PlanarCache(e, 3 * room);
  e.reset();
  const ids = [{}, {}, {}, {}];
  const rooms = ids.slice(0, 3).map((id) => {
    const p = cache.alloc(layout)!;
    cache.add(id, p);
    return p;
  });
  expect(new Set(rooms.map((p) => p.addr)).size).toBe(3);
  const fourth = cache.alloc(layout)!; // wraps onto the first
  expect(fourth.addr).toBe(rooms[0].addr);
  cache.add(ids[3], fourth);
  expect(cache.find(ids[0], layout)).toBeNull();
  expect(cache.find(ids[1], layout)).toEqual(rooms[1]);
  // the next room would be the second; keeping it (and the third) leaves only the first
  const fifth = cache.alloc(layout, [rooms[1], rooms[2]]);
  expect(fifth?.addr).toBe(rooms[0].addr);
  expect(cache.find(ids[3], layout)).toBeNull();
  expect(cache.alloc(layout, [rooms[0], rooms[1], rooms[2]])).toBeNull(); // nowhere left
  expect(new PlanarCache(e, room - 64).alloc(layout)).toBeNull(); // a copy larger than the zone
});

test('rooms come with zero padding: zeroed, unless the room last held the same layout (whose writers write only data)', () => {
  const cache = new PlanarCache(e, 2 * room);
  e.reset();
  const zeroing = jest.spyOn(e, 'zeroPadding');
  const x = Float32Array.from({ length: 2 * 5 * 6 * 3 }, (_, i) => i + 1);
  const p = cache.alloc(layout)!;
  spread(e, x, layout, undefined, false, p.addr); // data everywhere in p's room but its padding
  cache.alloc(layout); // the second room
  const shifted = { ...layout, top: 0, left: 0 }; // another layout over p's data
  const q = cache.alloc(shifted)!;
  expect(q.addr).toBe(p.addr);
  expect(planarPaddingSum(e.f32, q)).toBe(0);
  expect(zeroing).toHaveBeenCalledTimes(3);
  cache.alloc(layout); // the second room again, as it was: not zeroed
  expect(zeroing).toHaveBeenCalledTimes(3);
  const r = cache.alloc(layout)!; // the first room, which held another layout: zeroed
  expect(r.addr).toBe(p.addr);
  expect(zeroing).toHaveBeenCalledTimes(4);
  expect(planarPaddingSum(e.f32, r)).toBe(0);
  zeroing.mockRestore();
});
