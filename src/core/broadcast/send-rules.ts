// The send-time rules of template-rules.md, applied to one recipient's values. Runs once per recipient, so it avoids
// anything heavier than a regex and a grapheme count.
import type { RemoteTemplate } from '../../providers/port.js';
import type { SendRules } from './mapping.js';
import { graphemeLength as graphemes } from '../template-rules/text.js';
import { placeholderKeys, splitPlaceholders, type SplitText } from '../placeholders.js';

const BODY_LIMIT = 1024;

// A send checks and renders one body for every recipient: it is split at its placeholders once, not on each call.
let last: { body: string; split: SplitText; keys: string[] } | undefined;
function parsed(body: string): { split: SplitText; keys: string[] } {
  if (last?.body !== body) last = { body, split: splitPlaceholders(body), keys: placeholderKeys(body) };
  return last;
}

export const sendRules: SendRules = {
  placeholders(body) {
    const keys = parsed(body).keys;
    const style = keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) ? 'positional' : keys.length === 0 ? 'positional' : 'named';
    return { style, keys };
  },

  checkValues(template: RemoteTemplate, values) {
    const found: { ruleId: string; message: string; key?: string }[] = [];
    for (const key of this.placeholders(template.body).keys) {
      const v = values[key];
      if (v === undefined) {
        found.push({ ruleId: 'parameter-count', key, message: `no value for {{${key}}}` });
        continue;
      }
      if (v.trim() === '') found.push({ ruleId: 'parameter-empty', key, message: `{{${key}}} is empty; WhatsApp refuses empty parameters` });
      if (/[\r\n]/.test(v)) found.push({ ruleId: 'parameter-text', key, message: `{{${key}}} has a line break (WhatsApp error 132018)` });
      if (/\t/.test(v)) found.push({ ruleId: 'parameter-text', key, message: `{{${key}}} has a tab (WhatsApp error 132018)` });
      if (/ {5,}/.test(v)) found.push({ ruleId: 'parameter-text', key, message: `{{${key}}} has more than 4 spaces in a row (WhatsApp error 132018)` });
    }
    const rendered = this.render(template.body, values);
    const length = graphemes(rendered);
    if (length > BODY_LIMIT) {
      // Named by its longest value: the one to shorten first.
      const keys = this.placeholders(template.body).keys;
      const longest = keys.reduce<string | undefined>((a, k) => (a === undefined || (values[k] ?? '').length > (values[a] ?? '').length ? k : a), undefined);
      found.push({ ruleId: 'rendered-length', ...(longest !== undefined ? { key: longest } : {}), message: `the message is ${length} characters with its values filled in (counted as a person sees them); the limit is ${BODY_LIMIT}` });
    }
    return found;
  },

  checkVariableName(name) {
    return /^[a-z0-9_]{2,16}$/.test(name) ? null : `"${name}" cannot be a Qontak list variable: use 2 to 16 lowercase letters, digits or underscores`;
  },

  render(body, values) {
    const { literals, slots, written } = parsed(body).split;
    let out = literals[0]!;
    for (let i = 0; i < slots.length; i++) out += (values[slots[i]!] ?? written[i]!) + literals[i + 1]!;
    return out;
  },
};
