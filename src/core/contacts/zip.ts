// The parts of a zip (an .xlsx) by its central directory: what the size cap and the sheet reader need, nothing more.

export interface ZipEntry {
  /** Path inside the zip as written ('xl/worksheets/sheet1.xml'). */
  name: string;
  method: number;
  /** General-purpose flags (bit 0: encrypted). */
  flags: number;
  /** Uncompressed size as declared (a bomb may lie). */
  size: number;
  /** The compressed bytes, a view into the file. */
  data: Uint8Array;
}

/** The entries of a zip by its central directory; a damaged directory gives none and is left to SheetJS to report. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  const latin1 = new TextDecoder('latin1');
  for (let n = 0; n < count && at + 46 <= bytes.length && view.getUint32(at, true) === 0x02014b50; n++) {
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    // Part names in an .xlsx are ASCII; bit 11 says UTF-8 for the rest.
    const rawName = bytes.subarray(at + 46, Math.min(bytes.length, at + 46 + nameLength));
    const name = flags & 0x800 ? Buffer.from(rawName).toString('utf8') : latin1.decode(rawName);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) continue;
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries.push({ name, method, flags, size, data: bytes.subarray(start, Math.min(bytes.length, start + compressed)) });
  }
  return entries;
}
