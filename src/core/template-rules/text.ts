// Counting as WhatsApp does: what a person sees (grapheme clusters), with CRLF as one line break.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ASCII = /^[\x00-\x7f]*$/;
/**
 * Text in which every UTF-16 unit is a grapheme cluster of its own (CR LF aside): no marks or other extending
 * characters, joiners or variation selectors (which attach to what comes before), no Hangul jamo or syllables (which
 * join), no prepended Arabic signs, no Thai or Lao AM (spacing marks that are letters), no unassigned code points,
 * and no code point past U+FFFF (an emoji with its modifiers, a flag). Control and format characters and lone
 * surrogates break on both sides (UAX #29 GB4, GB5). Checked against Intl.Segmenter by a property test; what it does
 * not let through still goes to the segmenter, which costs a segment object per cluster.
 */
const SINGLE_UNITS = /^[^\p{M}\p{Grapheme_Extend}\p{Cn}\u{10000}-\u{10FFFF}\u1100-\u11FF\uA960-\uA97F\uAC00-\uD7AF\uD7B0-\uD7FF\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u0D4E\u0E33\u0EB3\u200C\u200D\uFE00-\uFE0F]*$/u;
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
    if (ASCII.test(piece) || SINGLE_UNITS.test(piece)) {
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
    // A long run is cut before an ASCII character, which always starts a new grapheme (but LF after CR); one with none
    // for a long while is cut between code points away from joiners and modifiers, where a miscount is one character
    // at most. A real pair (high then low surrogate) is never cut; a run of lone low surrogates still is, or it reaches
    // the segmenter whole and costs the square of its length.
    const tooLong =
      i - start >= MAX_PIECE &&
      ((b < 0x80 && !(a === 13 && b === 10)) ||
        (i - start >= 4 * MAX_PIECE && !(b >= 0xdc00 && b <= 0xdfff && a >= 0xd800 && a <= 0xdbff) && a !== 0x200d && b !== 0x200d && b !== 0xfe0f && !(b === 0xd83c && (text.charCodeAt(i + 1) & 0xfff8) === 0xdff8)));
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

interface LineIndex {
  text: string;
  /** Offsets where a line starts: after \n, and after a \r not followed by \n. */
  starts: number[];
  /** Offsets of the low half of each surrogate pair (a code point that takes two UTF-16 units), ascending. */
  pairs: number[];
}

// Rules report their findings one by one for the same field text; the index of the last text is kept so that
// placing n findings costs one pass over the text and n binary searches, not n passes (a 10 MB body with a finding
// every few characters went from hours to a fraction of a second).
let last: LineIndex | undefined;

function indexOf(text: string): LineIndex {
  if (last?.text === text) return last;
  const starts = [0];
  const pairs: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    else if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const h = text.charCodeAt(i - 1);
      if (h >= 0xd800 && h <= 0xdbff) pairs.push(i);
    }
  }
  last = { text, starts, pairs };
  return last;
}

/** How many values in the ascending `xs` are below `v`. */
export function countBelow(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Line (1-based) and column (1-based, in code points) of an offset inside a field's text. */
export function positionIn(text: string, offset: number): { line: number; column: number } {
  const { starts, pairs } = indexOf(text);
  const at = Math.max(0, Math.min(offset, text.length));
  // An offset between the CR and the LF of a CRLF: the text before it ends in a line break, so it starts a line.
  if (at > 0 && text.charCodeAt(at - 1) === 13 && text.charCodeAt(at) === 10) return { line: countBelow(starts, at + 1) + 1, column: 1 };
  const line = countBelow(starts, at + 1);
  const start = starts[line - 1]!;
  // Code points: UTF-16 units minus the pairs that lie wholly before the offset.
  const column = at - start - (countBelow(pairs, at) - countBelow(pairs, start + 1)) + 1;
  return { line, column };
}
