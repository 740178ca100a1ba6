// JSON.parse loses positions; a linter needs them. This parser returns the value and, for every string in it, where
// each of its characters sits in the file (escapes make those differ), so a finding can point at line:column.
import { InputError } from '../input-error.js';

export interface StringSpan {
  /** File offset of each decoded UTF-16 unit, plus one past the end. */
  offsets: number[];
}

export interface Located {
  value: unknown;
  /** JSON pointer ("/components/0/text") → the string's span. */
  strings: Map<string, StringSpan>;
  lineStarts: number[];
}

export function lineColumn(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

/** Templates nest a few levels; a file nested deeper is hostile or broken, and recursion must stop before the stack. */
export const MAX_JSON_DEPTH = 64;

export function parseWithPositions(text: string, file: string): Located {
  const strings = new Map<string, StringSpan>();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (what: string): never => {
    const { line, column } = lineColumn(lineStarts, Math.min(pos, text.length));
    throw new InputError(`${file}:${line}:${column}: invalid JSON: ${what}`);
  };
  const ws = () => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
  };
  const str = (pointer: string | undefined): string => {
    pos++; // opening quote
    let out = '';
    const offsets: number[] = [];
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text[pos]!;
      if (c === '"') break;
      if (c === '\\') {
        const start = pos;
        const e = text[pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          offsets.push(start);
          pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
          offsets.push(start);
          pos += 6;
        } else fail('bad escape');
        continue;
      }
      if (c < ' ') fail('control character in string');
      out += c;
      offsets.push(pos);
      pos++;
    }
    offsets.push(pos);
    pos++; // closing quote
    if (pointer !== undefined) strings.set(pointer, { offsets });
    return out;
  };
  const value = (pointer: string, depth: number): unknown => {
    ws();
    const c = text[pos];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (c === '{') {
      pos++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected a property name');
        const key = str(undefined);
        ws();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        obj[key] = value(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const arr: unknown[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(value(`${pointer}/${arr.length}`, depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str(pointer);
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos, pos + 64));
    if (!m) return fail(pos >= text.length ? 'unexpected end' : `unexpected "${c}"`);
    pos += m[0].length;
    return JSON.parse(m[0]);
  };
  const v = value('', 0);
  ws();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return { value: v, strings, lineStarts };
}
