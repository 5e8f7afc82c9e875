/** A minimal reader of (ustar) tar archives, enough for CIFAR-10's binary archive: regular files only. */
import { DataFormatError } from './errors.js';

/** One regular file of an archive. */
export interface TarEntry {
  name: string;
  data: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** The regular files of a tar archive (already inflated). Truncated archives throw a DataFormatError. */
export function readTar(buf: Buffer, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + 512 <= buf.length) {
    const block = buf.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const name = field(block, 0, 100);
    const prefix = field(block, 345, 155);
    const sizeText = field(block, 124, 12).trim();
    const size = parseInt(sizeText || '0', 8);
    if (!Number.isFinite(size)) throw new DataFormatError(file, `corrupt tar header at byte ${offset}`);
    const type = String.fromCharCode(block[156] || 48);
    const start = offset + 512;
    if (start + size > buf.length) throw new DataFormatError(file, `truncated tar archive: ${name} needs ${size} bytes at ${start}, the archive has ${buf.length}`);
    if (type === '0' || type === '\0') entries.push({ name: prefix ? `${prefix}/${name}` : name, data: buf.subarray(start, start + size) });
    offset = start + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Writes a tar archive of regular files (used by tests). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${e.data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
