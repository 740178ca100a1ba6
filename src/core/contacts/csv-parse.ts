// A small RFC 4180 parser that yields one record at a time, so a caller can stream over a large file.
// Quoted fields may hold the delimiter, "" for a quote, and line breaks; CRLF, LF and lone CR end a record.

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

/** Yields each record's fields. `record` numbers start at 1 for the first record at `start`. */
export function* parseCsvRecords(text: string, delimiter: string, start = 0): Generator<string[]> {
  const n = text.length;
  const d = delimiter.charCodeAt(0);
  let i = start;
  let record = 0;
  while (i < n) {
    record++;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw new CsvSyntaxError(record, `row ${record}: a quoted field is never closed (missing ")`);
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Text after a closing quote ("ab"cd) is kept, as Excel does.
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === d || c === LF || c === CR) break;
          j++;
        }
        if (j > i) value += text.slice(i, j);
        i = j;
        fields.push(value);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === d || c === LF || c === CR) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      const c = text.charCodeAt(i);
      if (c === d) {
        i++;
        continue;
      }
      if (c === CR) {
        i++;
        if (text.charCodeAt(i) === LF) i++;
      } else if (c === LF) i++;
      break;
    }
    yield fields;
  }
}
