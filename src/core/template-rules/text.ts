// Counting as WhatsApp does: what a person sees (grapheme clusters), with CRLF as one line break.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemeLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.length - (text.match(/\r\n/g)?.length ?? 0);
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
}

export function graphemes(text: string): string[] {
  return [...segmenter.segment(text)].map((s) => s.segment);
}

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
export function emojiCount(text: string): number {
  if (/^[\x00-\x7f]*$/.test(text)) return 0;
  return graphemes(text).filter((g) => EMOJI.test(g)).length;
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
