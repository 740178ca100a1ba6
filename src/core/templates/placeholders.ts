// Placeholders: the well-formed ones ({{1}}, {{name}}) that get values, and every brace group, for the syntax rule.
import type { PlaceholderStyle } from './model.js';

/** What a provider substitutes: two braces, a key of letters, digits or underscores, tolerated spaces inside. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export interface BraceGroup {
  offset: number;
  length: number;
  open: number;
  close: number;
  /** Text between the braces, untrimmed. */
  inner: string;
}

const GROUP = /(\{+)([^{}]*)(\}+)/g;

/** Every run of opening braces, text and closing braces, in order. */
export function braceGroups(text: string): BraceGroup[] {
  const out: BraceGroup[] = [];
  if (!text.includes('{') && !text.includes('}')) return out;
  for (const m of text.matchAll(GROUP)) out.push({ offset: m.index!, length: m[0].length, open: m[1]!.length, close: m[3]!.length, inner: m[2]! });
  return out;
}

/** Offsets of braces that belong to no group ("{{1" with nothing closing it). */
export function strayBraces(text: string, groups: readonly BraceGroup[]): { offset: number; run: number }[] {
  const out: { offset: number; run: number }[] = [];
  let g = 0;
  for (let i = 0; i < text.length; i++) {
    while (g < groups.length && groups[g]!.offset + groups[g]!.length <= i) g++;
    if (g < groups.length && groups[g]!.offset <= i) {
      i = groups[g]!.offset + groups[g]!.length - 1;
      continue;
    }
    const c = text[i];
    if (c === '{' || c === '}') {
      let j = i;
      while (text[j + 1] === c) j++;
      out.push({ offset: i, run: j - i + 1 });
      i = j;
    }
  }
  return out;
}

export interface PlaceholderUse {
  key: string;
  offset: number;
  length: number;
  /** The key had spaces around it inside the braces. */
  spaced: boolean;
}

/** The placeholders a provider would fill, in order of appearance (repeats included). */
export function placeholderUses(text: string): PlaceholderUse[] {
  const out: PlaceholderUse[] = [];
  if (!text.includes('{{')) return out;
  for (const m of text.matchAll(PLACEHOLDER)) out.push({ key: m[1]!, offset: m.index!, length: m[0].length, spaced: m[0].length !== m[1]!.length + 4 });
  return out;
}

/**
 * The placeholders of a body: their style (positional when every key is a number, or there are none) and their keys
 * in order of first appearance, each once.
 */
export function placeholdersOf(body: string): { style: PlaceholderStyle; keys: string[] } {
  const keys: string[] = [];
  let numeric = true;
  for (const use of placeholderUses(body)) {
    if (keys.includes(use.key)) continue;
    keys.push(use.key);
    if (!/^\d+$/.test(use.key)) numeric = false;
  }
  return { style: numeric ? 'positional' : 'named', keys };
}
