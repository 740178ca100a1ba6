// Turning CSV bytes into text the way Excel wrote them: UTF-8 (with or without BOM), "Unicode text"
// (UTF-16LE with BOM), UTF-16BE, and the ANSI code page an older Excel uses for "CSV (Comma delimited)".
// The bytes come in chunks (a file read piece by piece), so a 100,000-row sheet is never in memory whole.

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface CsvCoding {
  encoding: CsvEncoding;
  /** Bytes of byte order mark to skip. */
  bom: number;
}

/**
 * The encoding, from the first bytes (a BOM, UTF-16's zero bytes) or else from every byte: text that is not all
 * valid UTF-8 is the ANSI code page. `chunks` starts a fresh read of all the bytes each time it is called.
 */
export function csvCoding(head: Uint8Array, chunks: () => Iterable<Uint8Array>): CsvCoding {
  const b0 = head[0];
  const b1 = head[1];
  if (b0 === 0xef && b1 === 0xbb && head[2] === 0xbf) return { encoding: validUtf8(chunks()) ? 'utf-8' : 'windows-1252', bom: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // UTF-16 without BOM: ASCII text shows as every other byte zero.
  if (head.length >= 4 && b0 !== 0 && b1 === 0 && head[2] !== 0 && head[3] === 0) return { encoding: 'utf-16le', bom: 0 };
  if (head.length >= 4 && b0 === 0 && b1 !== 0 && head[2] === 0 && head[3] !== 0) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: validUtf8(chunks()) ? 'utf-8' : 'windows-1252', bom: 0 };
}

/**
 * The bytes as UTF-8, chunk by chunk, without the BOM: the parser finds quotes, delimiters and line ends as bytes
 * (never part of a multi-byte character in UTF-8) and decodes each field alone. UTF-8 passes through; the others are
 * decoded and encoded again one chunk at a time, so no text larger than a chunk is ever held.
 */
export function* utf8Chunks(chunks: Iterable<Uint8Array>, { encoding, bom }: CsvCoding): Generator<Uint8Array> {
  const decoder = encoding === 'utf-8' ? undefined : decoderFor(encoding);
  let skip = bom;
  for (let chunk of encoding === 'utf-16be' ? swapPairs(chunks) : chunks) {
    if (skip > 0) {
      const n = Math.min(skip, chunk.length);
      chunk = chunk.subarray(n);
      skip -= n;
    }
    if (!decoder) yield chunk;
    else {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield Buffer.from(text, 'utf8');
    }
  }
  const rest = decoder?.decode();
  if (rest) yield Buffer.from(rest, 'utf8');
}

function validUtf8(chunks: Iterable<Uint8Array>): boolean {
  const d = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    for (const c of chunks) d.decode(c, { stream: true });
    d.decode();
    return true;
  } catch {
    return false;
  }
}

interface Decoder {
  decode(bytes?: Uint8Array, opts?: { stream: boolean }): string;
}

/** A decoder for the encodings that are not UTF-8 already (UTF-16BE comes swapped into UTF-16LE). */
function decoderFor(encoding: Exclude<CsvEncoding, 'utf-8'>): Decoder {
  // The BOM is skipped by the caller: what remains is text, even a second U+FEFF.
  if (encoding !== 'windows-1252') return new TextDecoder('utf-16le', { ignoreBOM: true });
  try {
    return new TextDecoder('windows-1252');
  } catch {
    // A Node built without full ICU: Latin-1 differs from 1252 only in 0x80-0x9F. One byte is one character.
    return { decode: (b) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1') : '') };
  }
}

/**
 * UTF-16BE turned into UTF-16LE chunk by chunk; a byte left over at a chunk's end is kept for the next. An odd last
 * byte is dropped.
 */
function* swapPairs(chunks: Iterable<Uint8Array>): Generator<Uint8Array> {
  let carry: number | undefined;
  for (const c of chunks) {
    const joined = carry === undefined ? Buffer.from(c) : Buffer.concat([Buffer.of(carry), c]);
    const even = joined.length - (joined.length % 2);
    carry = even < joined.length ? joined[even] : undefined;
    yield joined.subarray(0, even).swap16();
  }
}

const CANDIDATES = [',', ';', '\t'] as const;

/**
 * Picks the delimiter from the header record: the candidate seen most often outside quotes.
 * A tie or no candidate falls back to ',' then ';' then tab, in that order.
 */
export function detectDelimiter(text: string, start: number): string {
  const counts = [0, 0, 0];
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (!inQuotes) {
      if (c === 10 || c === 13) break;
      if (c === 44) counts[0]!++;
      else if (c === 59) counts[1]!++;
      else if (c === 9) counts[2]!++;
    }
  }
  let best = 0;
  for (let k = 1; k < 3; k++) if (counts[k]! > counts[best]!) best = k;
  return CANDIDATES[best]!;
}

/** Excel's own hint line `sep=;` at the top of a CSV: returns the delimiter and where the data starts. */
export function sepHint(text: string): { delimiter: string; start: number } | undefined {
  const m = /^sep=(.)\r?\n/i.exec(text.slice(0, 8));
  return m ? { delimiter: m[1]!, start: m[0].length } : undefined;
}
