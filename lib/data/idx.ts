/**
 * The IDX format of (Fashion-)MNIST: a big-endian header (two zero bytes, a type code, the
 * number of dimensions, then each dimension as uint32) followed by the data. Gzipped files
 * (.gz, magic 1f 8b) are inflated first.
 */
import * as zlib from 'node:zlib';
import { DataFormatError } from './errors.js';

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Inflates gzip data; other data is returned as is. Corrupt gzip data throws a DataFormatError. */
export function maybeGunzip(buf: Buffer, file: string): Buffer {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return zlib.gunzipSync(buf);
    } catch (err) {
      throw new DataFormatError(file, `corrupt gzip data (${(err as Error).message})`);
    }
  }
  return buf;
}

/** Parses an IDX file of type 0x08 (unsigned byte) with `expectDims` dimensions. */
export function parseIdx(raw: Buffer, file: string, expectDims: number): IdxArray {
  const buf = maybeGunzip(raw, file);
  if (buf.length < 4) throw new DataFormatError(file, `truncated: ${buf.length} bytes, expected an IDX header of at least ${4 + 4 * expectDims}`);
  const magic = buf.readUInt32BE(0);
  const expected = 0x0800 + expectDims;
  if (magic !== expected) {
    throw new DataFormatError(file, `bad IDX magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x${expected.toString(16).padStart(8, '0')} (unsigned bytes, ${expectDims} dimensions)`);
  }
  const header = 4 + 4 * expectDims;
  if (buf.length < header) throw new DataFormatError(file, `truncated header: ${buf.length} bytes, expected ${header}`);
  const dims = Array.from({ length: expectDims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== header + size) {
    throw new DataFormatError(file, `${buf.length < header + size ? 'truncated' : 'too long'}: ${buf.length - header} data bytes, expected ${size} for dimensions ${dims.join('×')}`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, size) };
}

/** Writes an IDX file of unsigned bytes (used by tests to make files in the official format). */
export function encodeIdx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
