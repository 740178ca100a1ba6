// A small RFC 4180 parser that yields one record at a time from UTF-8 bytes that come in chunks (a file read piece by
// piece), so a large file is never in memory whole. Quoted fields may hold the delimiter, "" for a quote, and line
// breaks; CRLF, LF and lone CR end a record. A record may span chunks.
//
// It works on bytes, not text: quotes, delimiters and line ends are single bytes that never occur inside a UTF-8
// multi-byte character, and each field is decoded alone. The bytes stay outside the collected heap, so a collection
// during the check of a large sheet copies only the record at hand (a decoded chunk would be copied by every one).

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvSyntaxError extends Error {
  constructor(
    readonly record: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Yields each record's fields. `delimiter` is one ASCII character; `skip` bytes at the start are passed over (Excel's
 * sep= line). `record` numbers start at 1 for the first record after them.
 */
export function* parseCsvRecords(chunks: Iterable<Uint8Array>, delimiter: string, skip = 0): Generator<string[]> {
  const d = delimiter.charCodeAt(0);
  if (delimiter.length !== 1 || d > 127) throw new RangeError(`the CSV delimiter must be one ASCII character, not "${delimiter}"`);
  const w = new Window(chunks[Symbol.iterator](), skip);
  let record = 0;
  for (;;) {
    if (!w.hasBytes()) return;
    const fields = parseRecord(w, d, record + 1);
    // The record runs past the bytes read so far: read more and parse it again from its start.
    if (fields === undefined) w.more();
    else {
      record++;
      yield fields;
    }
  }
}

/** The bytes read so far from the unfinished record on (`bytes`), and where parsing stands in them. */
class Window {
  private buf = Buffer.allocUnsafe(1 << 17);
  bytes = this.buf.subarray(0, 0);
  i = 0;
  /** No more chunks: what is left is all there is. */
  final = false;

  constructor(
    private readonly it: Iterator<Uint8Array>,
    private skip: number,
  ) {}

  /** Whether a record starts here (reading on if the bytes read so far are used up). */
  hasBytes(): boolean {
    while (this.i >= this.bytes.length) if (!this.more()) return false;
    return true;
  }

  /** Appends the next chunk to what is left (the chunk is copied: a reader may reuse it); false at the end. */
  more(): boolean {
    if (this.final) return false;
    const next = this.it.next();
    if (next.done) {
      this.final = true;
      return false;
    }
    let chunk = next.value;
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      chunk = chunk.subarray(n);
      this.skip -= n;
    }
    const left = this.bytes.length - this.i;
    // A record longer than the buffer: a bigger one.
    if (left + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, left + chunk.length));
      this.buf.copy(bigger, 0, this.i, this.bytes.length);
      this.buf = bigger;
    } else this.buf.copyWithin(0, this.i, this.bytes.length);
    this.buf.set(chunk, left);
    this.bytes = this.buf.subarray(0, left + chunk.length);
    this.i = 0;
    return true;
  }
}

/**
 * One record from `w.i`, moving `w.i` past it; undefined (and `w.i` unmoved) when the record may go on past the
 * bytes read so far. Only at the end of the input is an unclosed quote an error.
 */
function parseRecord(w: Window, d: number, record: number): string[] | undefined {
  const { bytes, final } = w;
  const n = bytes.length;
  let i = w.i;
  const fields: string[] = [];
  for (;;) {
    if (bytes[i] === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = bytes.indexOf(QUOTE, from);
        if (q < 0) {
          if (!final) return undefined;
          throw new CsvSyntaxError(record, `row ${record}: a quoted field is never closed (missing ")`);
        }
        value += bytes.toString('utf8', from, q);
        // A quote at the end of the bytes read so far may be the first of a doubled one.
        if (q + 1 === n && !final) return undefined;
        if (bytes[q + 1] === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Text after a closing quote ("ab"cd) is kept, as Excel does.
      const j = fieldEnd(bytes, i, d);
      if (j === n && !final) return undefined;
      if (j > i) value += bytes.toString('utf8', i, j);
      i = j;
      fields.push(value);
    } else {
      const j = fieldEnd(bytes, i, d);
      if (j === n && !final) return undefined;
      fields.push(j > i ? bytes.toString('utf8', i, j) : '');
      i = j;
    }
    const c = bytes[i];
    if (c === d) {
      i++;
      continue;
    }
    if (c === CR) {
      // A CR at the end of the bytes read so far may be the first half of a CRLF.
      if (i + 1 === n && !final) return undefined;
      i++;
      if (bytes[i] === LF) i++;
    } else if (c === LF) i++;
    w.i = i;
    return fields;
  }
}

/** Where an unquoted stretch from `i` ends: at the delimiter, a line break or the end of the bytes. */
function fieldEnd(bytes: Buffer, i: number, d: number): number {
  const n = bytes.length;
  let j = i;
  while (j < n) {
    const c = bytes[j];
    if (c === d || c === LF || c === CR) break;
    j++;
  }
  return j;
}
