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

/** Prepend marks join the character after them, even a simple one (Arabic number signs and the like). */
const isPrepend = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff) {
    // Astral prepend marks (Kaithi, Sharada… U+110BD and others) all sit in U+11000–U+11FFF; a wider net is harmless.
    const high = text.charCodeAt(i - 1);
    return high >= 0xd804 && high <= 0xd807;
  }
  return (c >= 0x600 && c <= 0x605) || c === 0x6dd || c === 0x70f || c === 0x890 || c === 0x891 || c === 0x8e2 || c === 0xd4e;
};

/** Segments text[start, end) with Intl.Segmenter, in pieces of at most PIECE units cut at safe boundaries. */
function segmentRange(text: string, start: number, end: number, fn: (cluster: string, offset: number) => void): void {
  while (start < end) {
    const stop = end - start > PIECE ? safeCut(text, start, start + PIECE) : end;
    for (const s of segmenter.segment(text.slice(start, stop))) fn(s.segment, start + s.index);
    start = stop;
  }
}

/**
 * Calls `fn` with each grapheme cluster and its UTF-16 offset. Units below U+0300 are clusters of their own, so only
 * the runs of other characters (with the simple character before them, which a combining mark or a keycap may
 * attach to) go through the segmenter: a mostly-Latin message with a few emoji costs a few tiny segmenter calls.
 */
export function forEachGrapheme(text: string, fn: (cluster: string, offset: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    if (c < 0x300 && next < 0x300) {
      if (c === 13 && next === 10) {
        fn('\r\n', i);
        i += 2;
      } else {
        fn(text[i]!, i);
        i++;
      }
      continue;
    }
    // A run of complex characters, starting here (this one may be the simple base they attach to).
    let end = i + 1;
    for (; end < n; end++) {
      const u = text.charCodeAt(end);
      const before = text.charCodeAt(end - 1);
      // © and ® are pictographs below U+0300: after a joiner they belong to the emoji.
      if (!(u >= 0x300 || isPrepend(text, end - 1) || (before === 13 && u === 10) || before === 0x200d)) break;
    }
    segmentRange(text, i, end, fn);
    i = end;
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

/**
 * One emoji as WhatsApp draws it: a flag (two regional indicators), a keycap, or a pictograph with its selector or
 * skin tone, joined to more by ZWJ. Matching this directly is far cheaper than segmenting the whole body.
 */
const EMOJI_SEQUENCE = /\p{Regional_Indicator}{2}|[0-9#*]\ufe0f?\u20e3|\p{Extended_Pictographic}(?:\ufe0f|\p{Emoji_Modifier})?(?:\u200d\p{Extended_Pictographic}(?:\ufe0f|\p{Emoji_Modifier})?)*/gu;
/** Shown as an emoji rather than a text symbol (©, ™ and ☺ without U+FE0F stay text). */
const SHOWN_AS_EMOJI = /\p{Emoji_Presentation}|\ufe0f|\u20e3|\p{Regional_Indicator}|\p{Emoji_Modifier}/u;
const MAYBE_EMOJI = /[\u00a9\u00ae\u203c-\u3299\ud83c-\ud83e]|\u20e3/;

/** UTF-16 offsets of the emoji in a text. */
export function emojiOffsets(text: string): number[] {
  const out: number[] = [];
  if (!MAYBE_EMOJI.test(text)) return out;
  for (const m of text.matchAll(EMOJI_SEQUENCE)) if (SHOWN_AS_EMOJI.test(m[0])) out.push(m.index!);
  return out;
}

const PICTOGRAPH_BEFORE = /(?:\p{Extended_Pictographic}|\p{Emoji_Modifier})\ufe0f?$/u;
const PICTOGRAPH_AFTER = /^\p{Extended_Pictographic}/u;

/** Whether the ZWJ at `offset` joins two pictographs (a family, a profession): then it is part of an emoji. */
export function joinsEmoji(text: string, offset: number): boolean {
  return PICTOGRAPH_BEFORE.test(text.slice(Math.max(0, offset - 3), offset)) && PICTOGRAPH_AFTER.test(text.slice(offset + 1, offset + 3));
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
