// Turning CSV bytes into text the way Excel wrote them: UTF-8 (with or without BOM), "Unicode text"
// (UTF-16LE with BOM), UTF-16BE, and the ANSI code page an older Excel uses for "CSV (Comma delimited)".

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: CsvEncoding;
}

export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) {
    return { text: utf8(bytes.subarray(3)) ?? latin(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (b0 === 0xff && b1 === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (b0 === 0xfe && b1 === 0xff) return { text: utf16be(bytes.subarray(2)), encoding: 'utf-16be' };
  // UTF-16 without BOM: ASCII text shows as every other byte zero.
  if (bytes.length >= 4 && b0 !== 0 && b1 === 0 && bytes[2] !== 0 && bytes[3] === 0) {
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  }
  if (bytes.length >= 4 && b0 === 0 && b1 !== 0 && bytes[2] === 0 && bytes[3] !== 0) {
    return { text: utf16be(bytes), encoding: 'utf-16be' };
  }
  const text = utf8(bytes);
  if (text !== undefined) return { text, encoding: 'utf-8' };
  return { text: latin(bytes), encoding: 'windows-1252' };
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function latin(bytes: Uint8Array): string {
  try {
    return new TextDecoder('windows-1252').decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

function utf16be(bytes: Uint8Array): string {
  const even = bytes.byteLength - (bytes.byteLength % 2);
  const swapped = Buffer.from(bytes.subarray(0, even));
  swapped.swap16();
  return new TextDecoder('utf-16le').decode(swapped);
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
