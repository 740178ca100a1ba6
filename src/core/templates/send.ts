// Send-time rules, run once per recipient (100,000 of them in a large broadcast): the template is split once and
// cached, and each recipient costs a few regex tests and a grapheme count of the values only.
import type { Finding, TemplateDoc } from './model.js';
import { PLACEHOLDER } from './placeholders.js';
import { BODY_LIMIT } from './rules.js';
import { graphemeLength } from './text.js';

interface Split {
  /** Static text around the placeholders: parts.length === slots.length + 1. */
  parts: string[];
  /** The key of each placeholder occurrence, and the exact text it replaces. */
  slots: string[];
  raw: string[];
  /** Unique keys in order of first appearance. */
  keys: string[];
  staticLength: number;
}

const splits = new Map<string, Split>();

function split(body: string): Split {
  let s = splits.get(body);
  if (s) return s;
  const parts: string[] = [];
  const slots: string[] = [];
  const raw: string[] = [];
  let at = 0;
  for (const m of body.matchAll(PLACEHOLDER)) {
    parts.push(body.slice(at, m.index));
    slots.push(m[1]!);
    raw.push(m[0]);
    at = m.index! + m[0].length;
  }
  parts.push(body.slice(at));
  const keys = [...new Set(slots)];
  s = { parts, slots, raw, keys, staticLength: parts.reduce((n, p) => n + graphemeLength(p), 0) };
  // A run uses a handful of templates; the bound only guards against callers rendering endless distinct bodies.
  if (splits.size >= 512) splits.clear();
  splits.set(body, s);
  return s;
}

/** The body with each placeholder replaced by its value; a placeholder without a value is left as written. */
export function renderBody(body: string, values: Readonly<Record<string, string>>): string {
  const s = split(body);
  if (s.slots.length === 0) return body;
  let out = s.parts[0]!;
  for (let i = 0; i < s.slots.length; i++) {
    const v = values[s.slots[i]!];
    out += (v === undefined ? s.raw[i]! : v) + s.parts[i + 1]!;
  }
  return out;
}

export interface SendCheckOptions {
  /** Values for URL buttons with a placeholder, by button index ("0", "1"…). */
  buttons?: Readonly<Record<string, string>>;
}

const err = (ruleId: string, field: string, message: string): Finding => ({ ruleId, severity: 'error', message, field });
const BAD_TEXT = /[\r\n\t]| {5}/;
/** What may stand in a URL unescaped: unreserved and reserved characters, and %XX escapes. */
const URL_SAFE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;

function urlPlaceholderButtons(doc: TemplateDoc): number[] {
  const out: number[] = [];
  doc.buttons.forEach((b, i) => {
    if (b.type === 'URL' && b.url !== undefined && /\{\{\s*\w+\s*\}\}/.test(b.url)) out.push(i);
  });
  return out;
}

/**
 * One recipient's values against the template: one value per placeholder and no more (parameter-count), no line
 * break, tab, empty value or run of 5+ spaces (parameter-text, WhatsApp 132018), the filled-in body within 1024
 * characters (rendered-length, 132005), URL button values percent-encoded (url-button-value).
 */
export function checkSendValues(doc: TemplateDoc, values: Readonly<Record<string, string>>, opts: SendCheckOptions = {}): Finding[] {
  const s = split(doc.body);
  const out: Finding[] = [];
  let valueLength = 0;
  for (const key of s.keys) {
    const v = values[key];
    if (v === undefined) {
      out.push(err('parameter-count', `values.${key}`, `no value for {{${key}}}; the template has ${s.keys.length} placeholder(s) and each needs exactly one value`));
      continue;
    }
    if (v.trim() === '') out.push(err('parameter-text', `values.${key}`, `the value for {{${key}}} is empty; WhatsApp refuses empty parameters — give it text`));
    else if (BAD_TEXT.test(v)) {
      const what = /[\r\n]/.test(v) ? 'a line break' : v.includes('\t') ? 'a tab' : 'more than 4 spaces in a row';
      out.push(err('parameter-text', `values.${key}`, `the value for {{${key}}} has ${what}; WhatsApp refuses it (error 132018) — replace it with a single space`));
    }
    // Each occurrence of the placeholder adds the value once.
    let uses = 0;
    for (const slot of s.slots) if (slot === key) uses++;
    valueLength += graphemeLength(v) * uses;
  }
  if (Object.keys(values).length > s.keys.length) {
    for (const key of Object.keys(values)) {
      if (!s.keys.includes(key)) out.push(err('parameter-count', `values.${key}`, `a value for {{${key}}}, which the template does not have; it has ${s.keys.length} placeholder(s)${s.keys.length ? ` (${s.keys.map((k) => `{{${k}}}`).join(', ')})` : ''} — remove the extra value`));
    }
  }
  // Joining text can only merge clusters, never split them: the sum is an upper bound, exact when within the limit.
  if (s.staticLength + valueLength > BODY_LIMIT) {
    const n = graphemeLength(renderBody(doc.body, values));
    if (n > BODY_LIMIT) out.push(err('rendered-length', 'body', `with its values filled in the message is ${n} characters (counted as a person sees them); the limit is ${BODY_LIMIT} — shorten the values by ${n - BODY_LIMIT}`));
  }
  const urlButtons = urlPlaceholderButtons(doc);
  for (const i of urlButtons) {
    const v = opts.buttons?.[String(i)];
    if (v === undefined) {
      out.push(err('parameter-count', `buttons[${i}].url`, `URL button ${i + 1} has a placeholder but no value was given for it`));
      continue;
    }
    if (!URL_SAFE.test(v)) {
      out.push(err('url-button-value', `buttons[${i}].url`, `the value for URL button ${i + 1} is not percent-encoded (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}); send ${JSON.stringify(encodeURI(v.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')).replace(/%25([0-9A-Fa-f]{2})/g, '%$1'))} instead`));
    }
  }
  return out;
}

const VARIABLE = /^[a-z0-9_]{2,16}$/;

/** Whether a name can be a Qontak contact-list variable (a column used as a value): 2 to 16 of a-z, 0-9 and _. */
export function checkVariableName(name: string): Finding | null {
  if (VARIABLE.test(name)) return null;
  const fixed = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 16);
  const why = name.length < 2 ? 'is shorter than 2 characters' : name.length > 16 ? `is ${name.length} characters (Qontak keeps 16)` : 'has characters other than lowercase letters, digits and underscores';
  return err('variable-name', 'variable', `variable ${JSON.stringify(name)} ${why}; rename the column${fixed.length >= 2 ? `, e.g. "${fixed}"` : ''}`);
}
