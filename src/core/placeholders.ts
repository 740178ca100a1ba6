// The placeholder syntax, in one place: `{{key}}` with a key of letters, digits and underscores, spaces allowed inside
// the braces (`{{ 1 }}` sends like `{{1}}`). Template checks also look at malformed pairs (`{{first name}}`) to point
// at them, so they read every brace pair through findPlaceholders.

/** A placeholder a send fills. A fresh regex per call: a shared /g regex carries lastIndex between callers. */
const wellFormed = () => /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct keys of the well-formed placeholders, in order of first appearance. */
export function placeholderKeys(text: string): string[] {
  // A Set keeps the first-seen order and stays linear on a body of a million placeholders.
  const keys = new Set<string>();
  for (const m of text.matchAll(wellFormed())) keys.add(m[1]!);
  return [...keys];
}

export function hasPlaceholder(text: string): boolean {
  return wellFormed().test(text);
}

/** Each well-formed placeholder replaced by `fill(key, asWritten)`. */
export function replacePlaceholders(text: string, fill: (key: string, asWritten: string) => string): string {
  return text.replace(wellFormed(), (m, key: string) => fill(key, m));
}

/** A text split once at its well-formed placeholders: `literals` has one more entry than `slots`. */
export interface SplitText {
  literals: string[];
  /** The key of each placeholder, in order (a key used twice appears twice). */
  slots: string[];
  /** Each placeholder as written, for a key that has no value. */
  written: string[];
}

export function splitPlaceholders(text: string): SplitText {
  const literals: string[] = [];
  const slots: string[] = [];
  const written: string[] = [];
  let at = 0;
  for (const m of text.matchAll(wellFormed())) {
    literals.push(text.slice(at, m.index));
    slots.push(m[1]!);
    written.push(m[0]);
    at = m.index! + m[0].length;
  }
  literals.push(text.slice(at));
  return { literals, slots, written };
}

/** A key as given on the command line, with any braces around it taken off (`--param {{1}}=x`). */
export function bareKey(key: string): string {
  return key.trim().replace(/^\{\{\s*|\s*\}\}$/g, '');
}

export interface Placeholder {
  /** The raw text between the braces. */
  inner: string;
  key: string;
  offset: number;
  length: number;
}

/** Any brace pair with no brace inside, well-formed or not. */
const anyPair = () => /\{\{([^{}]*)\}\}/g;

/** The text with every brace pair replaced by `by`. */
export function withoutPlaceholders(text: string, by: string): string {
  return text.replace(anyPair(), by);
}

/** Every brace pair, well-formed or not, with where it stands. */
export function findPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(anyPair())) out.push({ inner: m[1]!, key: m[1]!.trim(), offset: m.index!, length: m[0].length });
  return out;
}
