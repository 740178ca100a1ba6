// Counting as WhatsApp does: what a person sees (grapheme clusters), with CRLF as one line break.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ASCII = /^[\x00-\x7f]*$/;
const MAX_PIECE = 1024;

/**
 * Calls `fn` for each grapheme cluster. The segmenter only ever sees short pieces: V8 copies the whole input into
 * every segment it returns, which makes one long string cost memory by the square of its length. Two ASCII
 * characters in a row (other than CR LF) always have a cluster boundary between them, so pieces split there.
 */
export function forEachGrapheme(text: string, fn: (g: string, offset: number) => void): void {
  let start = 0;
  const flush = (end: number) => {
    if (end <= start) return;
    const piece = text.slice(start, end);
    if (ASCII.test(piece)) {
      for (let i = 0; i < piece.length; i++) {
        if (piece[i] === '\r' && piece[i + 1] === '\n') {
          fn('\r\n', start + i);
          i++;
        } else fn(piece[i]!, start + i);
      }
    } else for (const s of segmenter.segment(piece)) fn(s.segment, start + s.index);
    start = end;
  };
  for (let i = 1; i < text.length; i++) {
    const a = text.charCodeAt(i - 1);
    const b = text.charCodeAt(i);
    const asciiPair = a < 0x80 && b < 0x80 && !(a === 13 && b === 10);
    // A very long run without such a boundary is cut between code points: a miscount there is one character at most.
    const tooLong = i - start >= MAX_PIECE && !(b >= 0xdc00 && b <= 0xdfff);
    if (asciiPair || tooLong) flush(i);
  }
  flush(text.length);
}

export function graphemeLength(text: string): number {
  if (ASCII.test(text)) return text.length - (text.match(/\r\n/g)?.length ?? 0);
  let n = 0;
  forEachGrapheme(text, () => n++);
  return n;
}

export function graphemes(text: string): string[] {
  const out: string[] = [];
  forEachGrapheme(text, (g) => out.push(g));
  return out;
}

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
export function emojiCount(text: string): number {
  if (ASCII.test(text)) return 0;
  let n = 0;
  forEachGrapheme(text, (g) => {
    if (EMOJI.test(g)) n++;
  });
  return n;
}

export interface Placeholder {
  /** The raw text between the braces. */
  inner: string;
  key: string;
  offset: number;
  length: number;
}

export function findPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(/\{\{([^{}]*)\}\}/g)) out.push({ inner: m[1]!, key: m[1]!.trim(), offset: m.index!, length: m[0].length });
  return out;
}

/** Line (1-based) and column (1-based, in code points) of an offset inside a field's text. */
export function positionIn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\n|\r/);
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 };
}
