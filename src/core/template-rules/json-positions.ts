// JSON.parse loses positions; a linter needs them. jsonc-parser's visitor reads the file (strict JSON: no comments, no
// trailing commas) and says where each string starts; the small mapper below turns a character of a decoded string
// into its offset in the file, which escapes make differ.
import { printParseErrorCode, visit } from 'jsonc-parser';
import { InputError } from '../../errors.js';
import { countBelow } from './text.js';

export interface StringSpan {
  /** File offset of the string's first character (just past its opening quote). */
  start: number;
  /** Its length decoded, in UTF-16 units. */
  length: number;
  /** Escapes in it, in order: the decoded index of each and the extra file characters of those before it and it. */
  escapes?: { at: number[]; extra: number[] };
}

export interface Located {
  value: unknown;
  /** JSON pointer ("/components/0/text") → the string's span. */
  strings: Map<string, StringSpan>;
  lineStarts: number[];
  /** File offset of the decoded UTF-16 unit `index` of a string (of an escape: its backslash; past the end: the closing quote). */
  offsetIn(span: StringSpan, index: number): number;
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

const PROBLEM: Record<string, string> = {
  InvalidNumberFormat: 'bad number',
  PropertyNameExpected: 'expected a property name',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the JSON value',
  InvalidCommentToken: 'a comment (JSON has none)',
  UnexpectedEndOfComment: 'a comment (JSON has none)',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'bad number',
  InvalidUnicode: 'bad \\u escape',
  InvalidEscapeCharacter: 'bad escape',
  InvalidCharacter: 'control character in string',
};

export function parseWithPositions(source: string, file: string): Located {
  // A byte-order mark is read as a space, so offsets stay those of the file.
  const text = source.charCodeAt(0) === 0xfeff ? ` ${source.slice(1)}` : source;
  const strings = new Map<string, StringSpan>();
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const fail = (what: string, offset: number): never => {
    const { line, column } = lineColumn(lineStarts, Math.min(offset, text.length));
    throw new InputError(`${file}:${line}:${column}: invalid JSON: ${what}`);
  };

  // The value is built as it is visited: a stack of the open containers, each with the key its next value takes.
  let root: unknown;
  const open: { container: Record<string, unknown> | unknown[]; key: string; pointer: string }[] = [];
  const pointerOf = (): string => {
    const top = open[open.length - 1];
    if (!top) return '';
    const key = Array.isArray(top.container) ? String(top.container.length) : top.key.replace(/~/g, '~0').replace(/\//g, '~1');
    return `${top.pointer}/${key}`;
  };
  const put = (value: unknown): void => {
    const top = open[open.length - 1];
    if (!top) root = value;
    else if (Array.isArray(top.container)) top.container.push(value);
    // As JSON.parse: a repeated key keeps its last value, an own property even for "__proto__".
    else Object.defineProperty(top.container, top.key, { value, writable: true, enumerable: true, configurable: true });
  };
  const begin = (container: Record<string, unknown> | unknown[], offset: number): void => {
    if (open.length >= MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`, offset);
    const pointer = pointerOf();
    put(container);
    open.push({ container, key: '', pointer });
  };
  visit(
    text,
    {
      onObjectBegin: (offset) => begin({}, offset),
      onArrayBegin: (offset) => begin([], offset),
      onObjectEnd: () => void open.pop(),
      onArrayEnd: () => void open.pop(),
      onObjectProperty: (name) => void (open[open.length - 1]!.key = name),
      onLiteralValue: (value: unknown, offset) => {
        if (typeof value === 'string') strings.set(pointerOf(), { start: offset + 1, length: value.length });
        put(value);
      },
      onError: (code, offset, length) => {
        const name = printParseErrorCode(code);
        if (name === 'InvalidSymbol') fail(`unexpected "${text.slice(offset, offset + Math.min(length, 20))}"`, offset);
        // The string is the token: point at the character in it.
        if (name === 'InvalidCharacter') {
          let at = offset;
          while (at < offset + length && text.charCodeAt(at) >= 0x20) at++;
          fail(PROBLEM[name]!, at);
        }
        fail(PROBLEM[name] ?? name, offset);
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );

  const offsetIn = (span: StringSpan, index: number): number => {
    const unit = Math.min(Math.max(0, index), span.length);
    const { at, extra } = (span.escapes ??= escapesFrom(text, span.start));
    const before = countBelow(at, unit);
    return span.start + unit + (before > 0 ? extra[before - 1]! : 0);
  };
  return { value: root, strings, lineStarts, offsetIn };
}

/** The escapes of the string starting at `start`, read once, when a finding in it is first placed. */
function escapesFrom(text: string, start: number): { at: number[]; extra: number[] } {
  const at: number[] = [];
  const extra: number[] = [];
  let more = 0;
  let unit = 0;
  for (let i = start; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) break;
    if (c === 0x5c /* \ */) {
      const length = text.charCodeAt(i + 1) === 0x75 /* u */ ? 6 : 2;
      more += length - 1;
      at.push(unit);
      extra.push(more);
      i += length;
    } else i++;
    unit++;
  }
  return { at, extra };
}
