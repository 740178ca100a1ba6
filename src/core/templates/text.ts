// Counting text as WhatsApp shows it: user-perceived characters (grapheme clusters), CR LF as one line break.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Every unit below U+0300 is a cluster of its own (only CR LF pairs up): combining marks, joiners and emoji start there. */
const NOT_SIMPLE = /[^\u0000-\u02ff]/;
/** Pieces handed to the segmenter stay short: long inputs make it allocate far more than the text itself. */
const PIECE = 512;
const REGIONAL = /^\p{Regional_Indicator}/u;
/** A character that always starts a new cluster, provided the one before it is not a joiner or a prepend mark. */
const STARTS_CLUSTER = /^(?![\p{Mn}\p{Me}\p{Mc}\p{Emoji_Modifier}\p{Regional_Indicator}\u1100-\u11ff\ua960-\ua97f\uac00-\ud7ff\u200c\u200d\ufe00-\ufe0f\udc00-\udfff])[\p{Grapheme_Base}]/u;

function simpleLength(text: string): number {
  if (!text.includes('\r')) return text.length;
  let n = text.length;
  for (let i = text.indexOf('\r\n'); i >= 0; i = text.indexOf('\r\n', i + 2)) n--;
  return n;
}

/** Where a long run may be cut without splitting a cluster, searching backwards from `end`. */
function safeCut(text: string, start: number, end: number): number {
  for (let i = end; i > start + PIECE / 2; i--) {
    const prev = text.charCodeAt(i - 1);
    if (prev === 0x200d || (prev >= 0x600 && prev <= 0x605)) continue;
    const next = text.slice(i, i + 2);
    if (STARTS_CLUSTER.test(next)) return i;
    // Flags pair regional indicators from the left: a cut is safe after an even number of them.
    if (REGIONAL.test(next)) {
      let n = 0;
      for (let j = i - 2; j >= start && REGIONAL.test(text.slice(j, j + 2)); j -= 2) n++;
      if (n % 2 === 0) return i;
    }
  }
  // No clean boundary in a long stretch (hostile input): cut between code points; a miscount here is one at most.
  return text.charCodeAt(end) >= 0xdc00 && text.charCodeAt(end) <= 0xdfff ? end + 1 : end;
}

/** Calls `fn` with each grapheme cluster and its UTF-16 offset. */
export function forEachGrapheme(text: string, fn: (cluster: string, offset: number) => void): void {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE);
    if (end < text.length) end = safeCut(text, start, end);
    const piece = text.slice(start, end);
    if (!NOT_SIMPLE.test(piece)) {
      for (let i = 0; i < piece.length; i++) {
        if (piece.charCodeAt(i) === 13 && piece.charCodeAt(i + 1) === 10) {
          fn('\r\n', start + i);
          i++;
        } else fn(piece[i]!, start + i);
      }
    } else for (const s of segmenter.segment(piece)) fn(s.segment, start + s.index);
    start = end;
  }
}

/** Characters as a person counts them: an emoji with a skin tone, a flag or a ZWJ family is one; CR LF is one. */
export function graphemeLength(text: string): number {
  if (!NOT_SIMPLE.test(text)) return simpleLength(text);
  let n = 0;
  forEachGrapheme(text, () => {
    n++;
  });
  return n;
}

const EMOJI = /\p{Emoji_Presentation}|\ufe0f|\p{Regional_Indicator}|\p{Extended_Pictographic}\p{Emoji_Modifier}/u;
const MAYBE_EMOJI = /[\u00a9\u00ae\u203c-\u3299\ud83c-\ud83e]/;

/** Clusters shown as emoji, with the offset of each. Text-style symbols (©, ™ without U+FE0F) do not count. */
export function emojiOffsets(text: string): number[] {
  const out: number[] = [];
  if (!MAYBE_EMOJI.test(text)) return out;
  forEachGrapheme(text, (g, offset) => {
    if (EMOJI.test(g)) out.push(offset);
  });
  return out;
}

export interface Position {
  line: number;
  column: number;
}

/**
 * 1-based line and column of a UTF-16 offset inside a field's text, the column counted as a person sees characters
 * (an emoji with skin tone is one); CR LF, LF and CR end a line.
 */
export function positionInField(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: graphemeLength(text.slice(lineStart, end)) + 1 };
}
