import { mulhi32, philox4x32 } from './philox.js';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');

test.each([
  [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
])('Philox4x32-10 matches Random123\'s known-answer vector for counter %j, key %j', (c, k, expected) => {
  expect(hex(philox4x32(c[0], c[1], c[2], c[3], k[0], k[1]))).toBe(expected);
});

test('mulhi32 is the exact high word of the 64-bit product', () => {
  const cases = [[0xffffffff, 0xffffffff], [0xd2511f53, 0x12345678], [1, 0xffffffff], [65536, 65536], [0xcd9e8d57, 0x80000001]];
  for (const [a, b] of cases) expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
});
