// The parts of a zip (an .xlsx) walked the way SheetJS's zip reader walks them, for the size cap in front of it: the
// same end record (the last one in the file), the same entry count, the sizes of the local headers and zip64 fields.
// SheetJS trusts those sizes: it allocates the declared size of a deflated part, or grows without end when none is
// declared, and inflates each part to the end of its deflate stream whatever its compressed size says.

export interface ZipPart {
  /** 0 stored, 8 deflated (SheetJS refuses any other). */
  method: number;
  /** The uncompressed size SheetJS takes for the part (0: none declared). */
  declared: number;
  /** Stored: the part's bytes. Deflated: the file from the part's first byte on (its stream ends where it ends). */
  data: Uint8Array;
}

/** A zip SheetJS would read past its own bounds or could not read at all; the caller names the file. */
export class ZipDamagedError extends Error {}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;

export function zipParts(bytes: Uint8Array): ZipPart[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => (at >= 0 && at + 2 <= bytes.length ? view.getUint16(at, true) : damaged('a header runs past the end of the file'));
  const u32 = (at: number): number => (at >= 0 && at + 4 <= bytes.length ? view.getUint32(at, true) : damaged('a header runs past the end of the file'));
  let end = -1;
  for (let i = bytes.length - 4; i >= 0; i--) {
    if (bytes[i] === 0x50 && view.getUint32(i, true) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) damaged('no end of central directory');
  // SheetJS reads the count of this disk's entries (offset 8), not the total (offset 10).
  const count = u16(end + 8);
  let at = u32(end + 16);
  const parts: ZipPart[] = [];
  for (let n = 0; n < count; n++) {
    if (u32(at) !== CENTRAL) damaged(`central directory entry ${n + 1} is not where the directory says`);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const centralZip64 = zip64Size(bytes, view, at + 46 + nameLength, extraLength);
    const local = u32(at + 42);
    at += 46 + nameLength + extraLength + u16(at + 32);
    if (u32(local) !== LOCAL) damaged(`part ${n + 1} has no local header`);
    const flags = u16(local + 6);
    const method = u16(local + 8);
    let compressed = u32(local + 18);
    let declared = u32(local + 22);
    const localName = u16(local + 26);
    const localExtra = u16(local + 28);
    // Only when the local header has an extra field: its zip64 sizes, then the central directory's, win.
    if (localExtra) {
      for (const z64 of [zip64Size(bytes, view, local + 30 + localName, localExtra), centralZip64]) {
        if (z64?.usz) declared = z64.usz;
        if (z64?.csz) compressed = z64.csz;
      }
    }
    if (flags & 0x2041) damaged('it is encrypted');
    const start = local + 30 + localName + localExtra;
    if (start > bytes.length) damaged('a part runs past the end of the file');
    if (method === 0) parts.push({ method, declared: 0, data: bytes.subarray(start, Math.min(bytes.length, start + compressed)) });
    else if (method === 8) parts.push({ method, declared, data: bytes.subarray(start) });
    else damaged(`part ${n + 1} uses compression method ${method}`);
  }
  return parts;
}

/** The zip64 extra field's sizes, read as SheetJS reads them (8 bytes each, whatever the field's length says). */
function zip64Size(bytes: Uint8Array, view: DataView, from: number, length: number): { usz: number; csz: number } | undefined {
  const to = Math.min(bytes.length, from + length);
  const u64 = (at: number): number => (at + 8 <= to ? view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true) : 0);
  let found: { usz: number; csz: number } | undefined;
  for (let at = from; at <= to - 4; ) {
    const type = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (type === 0x0001) found = { usz: u64(at + 4), csz: u64(at + 12) };
    at += 4 + size;
  }
  return found;
}

function damaged(why: string): never {
  throw new ZipDamagedError(why);
}
