// JSON.parse gives values but no positions. This scanner walks the same text once, only when a position is needed
// (a finding to place, or a parse error to report), and records where each value starts, by JSON pointer.
import { InputError } from '../input-error.js';

/** A template file that cannot be read: the message names the file, line and column. */
export class TemplateFileError extends InputError {
  override name = 'TemplateFileError';
}

export interface JsonIndex {
  /** JSON pointer → offset of the value's first character (the opening quote for a string). */
  starts: Map<string, number>;
  lineStarts: number[];
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column (UTF-16 units, as editors count) of a file offset. */
export function lineColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

export const pointerToken = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Scans JSON text, throwing a TemplateFileError at the first thing JSON does not allow. */
export function indexJson(text: string, file: string): JsonIndex {
  const starts = new Map<string, number>();
  let lineStarts: number[] | undefined;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (what: string): never => {
    lineStarts ??= lineStartsOf(text);
    const at = lineColumn(lineStarts, Math.min(pos, text.length));
    throw new TemplateFileError(`${file}:${at.line}:${at.column}: invalid JSON: ${what}`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else return;
    }
  };
  const skipString = (): string => {
    const open = pos++;
    let simple = true;
    for (;;) {
      if (pos >= text.length) {
        pos = open;
        fail('a string is never closed');
      }
      const c = text.charCodeAt(pos);
      if (c === 34) break;
      if (c === 92) {
        simple = false;
        const e = text[pos + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(pos + 2, pos + 6))) fail('\\u must be followed by four hex digits');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) pos += 2;
        else fail(`unknown escape "\\${e ?? ''}"`);
        continue;
      }
      if (c < 32) fail('a control character (line break or tab) inside a string; write it as \\n or \\t');
      pos++;
    }
    pos++;
    return simple ? text.slice(open + 1, pos - 1) : (JSON.parse(text.slice(open, pos)) as string);
  };
  const value = (pointer: string, depth: number): void => {
    if (depth > 512) fail('nested too deeply');
    ws();
    starts.set(pointer, pos);
    const c = text[pos];
    if (c === '{') {
      pos++;
      ws();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        const key = skipString();
        ws();
        if (text[pos] !== ':') fail('expected ":" after the property name');
        pos++;
        value(`${pointer}/${pointerToken(key)}`, depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      ws();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let i = 0; ; i++) {
        value(`${pointer}/${i}`, depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      skipString();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m && m[0] !== '-') {
      // JSON forbids leading zeros: "01" is two tokens, which the caller reports as text after the value.
      pos += m[0].length;
      return;
    }
    fail(pos >= text.length ? 'the file ends where a value should be' : `unexpected "${String.fromCodePoint(text.codePointAt(pos)!)}"`);
  };
  value('', 0);
  ws();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return { starts, lineStarts: lineStarts ?? lineStartsOf(text) };
}

/**
 * File offset of the `decoded`-th UTF-16 unit of the string whose opening quote is at `quote`: walks the raw text,
 * letting each escape (\n, \", \u00e9…) stand for one decoded unit. One past the end maps to the closing quote.
 */
export function rawOffset(text: string, quote: number, decoded: number): number {
  let pos = quote + 1;
  for (let n = 0; n < decoded; n++) {
    const c = text.charCodeAt(pos);
    if (c === 34 || pos >= text.length) return pos;
    pos += c === 92 ? (text[pos + 1] === 'u' ? 6 : 2) : 1;
  }
  return pos;
}
