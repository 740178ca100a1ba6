// The structure rules of template-rules.md. Each rule says what to change and where (field and offset in it).
import type { Field, Provider, Severity, TemplateDoc } from './model.js';
import { braceGroups, placeholderUses, strayBraces } from './placeholders.js';
import { emojiOffsets, forEachGrapheme, graphemeLength, joinsEmoji } from './text.js';

export interface RawFinding {
  ruleId: string;
  field: Field;
  message: string;
  /** UTF-16 offset in the field's text, when the problem has a place. */
  offset?: number;
  /** For a finding milder than its rule's default (an older category). */
  severity?: Severity;
}

export interface RuleContext {
  provider: Provider;
}

export interface Rule {
  id: string;
  /** Default severity; consecutive-line-breaks depends on the provider. */
  severity: Severity | ((provider: Provider) => Severity);
  description: string;
  check(doc: TemplateDoc, ctx: RuleContext): RawFinding[];
}

export const BODY_LIMIT = 1024;
export const CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'UTILITY'];
export const LEGACY_CATEGORIES = ['PAYMENT_UPDATE', 'ACCOUNT_UPDATE', 'SHIPPING_UPDATE', 'TRANSACTIONAL', 'OTP', 'ALERT_UPDATE', 'APPOINTMENT_UPDATE', 'ISSUE_RESOLUTION', 'PERSONAL_FINANCE_UPDATE', 'RESERVATION_UPDATE', 'TICKET_UPDATE', 'TRANSPORTATION_UPDATE', 'AUTO_REPLY'];
/** Space and its look-alikes: no-break, en/em and thin spaces, ideographic space. */
const SPACE_CLASS = ' \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000';
const SPACES = new RegExp(`[${SPACE_CLASS}]{2,}`, 'g');
const EDGE = new RegExp(`^[${SPACE_CLASS}]+|[${SPACE_CLASS}]+(?=\\r\\n|\\n|\\r|$)`, 'gm');
const SHORTENERS = /\b(?:bit\.ly|s\.id|tinyurl\.com|linktr\.ee|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rebrand\.ly|shorturl\.at|lnkd\.in|rb\.gy|tiny\.cc|v\.gd|bitly\.com)\/\S*/gi;
const ZERO_WIDTH = /[\u200b\u200c\u200d\u2060\ufeff]/;
const ZERO_WIDTH_ALL = /[\u200b\u200c\u200d\u2060\ufeff]/g;
const LANGUAGE = /^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$/;

const f = (ruleId: string, field: Field, message: string, offset?: number): RawFinding => (offset === undefined ? { ruleId, field, message } : { ruleId, field, message, offset });
const konekwa = (d: TemplateDoc) => d.source.format === 'konekwa';
const u = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const quote = (s: string, max = 40) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** The free-text fields (body, header text, footer) that spacing and invisible-character rules look at. */
function textFields(d: TemplateDoc): [Field, string][] {
  const out: [Field, string][] = [['body', d.body]];
  if (d.header?.text !== undefined) out.push(['header', d.header.text]);
  if (d.footer !== undefined) out.push(['footer', d.footer]);
  return out;
}

function bodyExamples(d: TemplateDoc): { field: Field; value: string }[] {
  const out: { field: Field; value: string }[] = [];
  d.examples?.forEach((value, i) => out.push({ field: `examples[${i}]`, value }));
  d.header?.example?.forEach((value, i) => out.push({ field: `header.example[${i}]`, value }));
  d.buttons.forEach((b, i) => b.example?.forEach((value, j) => out.push({ field: `buttons[${i}].example[${j}]`, value })));
  return out;
}

export const RULES: readonly Rule[] = [
  {
    id: 'name-charset',
    severity: 'error',
    description: 'name uses only lowercase letters, digits and underscores',
    check: (d) => {
      if (d.name === '') return [f('name-charset', 'name', 'the template has no name; give it one made of lowercase letters, digits and underscores')];
      if (konekwa(d)) return [];
      const bad = /[^a-z0-9_]/.exec(d.name);
      if (!bad) return [];
      const fixed = d.name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
      return [f('name-charset', 'name', `name ${quote(d.name)} has ${quote(bad[0])}: use only lowercase letters, digits and underscores, e.g. "${fixed || 'my_template'}"`, bad.index)];
    },
  },
  {
    id: 'name-length',
    severity: 'error',
    description: 'name is at most 512 characters',
    check: (d) => (d.name.length > 512 ? [f('name-length', 'name', `name is ${d.name.length} characters; the limit is 512 — shorten by ${d.name.length - 512}`, 512)] : []),
  },
  {
    id: 'category',
    severity: 'error',
    description: 'category is AUTHENTICATION, MARKETING or UTILITY (older values warn)',
    check: (d) => {
      if (konekwa(d)) return [];
      const c = (d.category ?? '').trim().toUpperCase();
      if (c === '') return [f('category', 'category', `no category; set one of ${CATEGORIES.join(', ')}`)];
      if (CATEGORIES.includes(c)) return [];
      if (LEGACY_CATEGORIES.includes(c)) {
        return [{ ...f('category', 'category', `category ${c} is an older value that Meta now files as UTILITY (or AUTHENTICATION for one-time codes); set one of ${CATEGORIES.join(', ')}`), severity: 'warning' }];
      }
      return [f('category', 'category', `category ${quote(d.category ?? '')} is unknown; set one of ${CATEGORIES.join(', ')}`)];
    },
  },
  {
    id: 'language-required',
    severity: 'error',
    description: 'a language code is given (id, en, en_US, pt_BR…)',
    check: (d) => {
      if (konekwa(d)) return [];
      if (!d.language) return [f('language-required', 'language', 'no language; set a code such as id, en or en_US')];
      return LANGUAGE.test(d.language) ? [] : [f('language-required', 'language', `language ${quote(d.language)} is not a language code; use one such as id, en or en_US`)];
    },
  },
  {
    id: 'body-required',
    severity: 'error',
    description: 'exactly one body, with text',
    check: (d) => {
      if (d.bodyCount > 1) return [f('body-required', 'body', `${d.bodyCount} BODY components; keep exactly one`)];
      if (d.bodyCount === 0) return [f('body-required', 'body', 'no body; every template needs one BODY with text')];
      return d.body.trim() === '' ? [f('body-required', 'body', 'the body is empty; write the message text')] : [];
    },
  },
  {
    id: 'body-length',
    severity: 'error',
    description: 'body is at most 1024 characters, counted as a person sees them',
    check: (d) => {
      if (d.body.length <= BODY_LIMIT) return [];
      const n = graphemeLength(d.body);
      if (n <= BODY_LIMIT) return [];
      let cut = 0;
      let seen = 0;
      forEachGrapheme(d.body, (_, offset) => {
        if (seen++ === BODY_LIMIT) cut = offset;
      });
      return [f('body-length', 'body', `body is ${n} characters (counted as a person sees them: an emoji with skin tone or a flag is one); the limit is ${BODY_LIMIT} — shorten by ${n - BODY_LIMIT}`, cut)];
    },
  },
  {
    id: 'body-edge-space',
    severity: 'error',
    description: 'no space at the start or end of the body or of a line',
    check: (d) => {
      const out: RawFinding[] = [];
      for (const m of d.body.matchAll(EDGE)) {
        if (m[0].length === 0) continue;
        const atStart = m.index === 0 || d.body[m.index - 1] === '\n' || d.body[m.index - 1] === '\r';
        const atEnd = m.index + m[0].length === d.body.length || '\r\n'.includes(d.body[m.index + m[0].length]!);
        const what = m[0].length === 1 ? 'a space' : `${m[0].length} spaces`;
        const msg = atStart && atEnd ? `a line holds only ${what}; remove ${m[0].length === 1 ? 'it' : 'them'}` : atStart ? `${m.index === 0 ? 'the body' : 'a line'} starts with ${what}; remove ${m[0].length === 1 ? 'it' : 'them'}` : `${m.index + m[0].length === d.body.length ? 'the body' : 'a line'} ends with ${what}; remove ${m[0].length === 1 ? 'it' : 'them'}`;
        out.push(f('body-edge-space', 'body', msg, m.index));
      }
      return out;
    },
  },
  {
    id: 'double-space',
    severity: 'error',
    description: 'no two spaces in a row between words (a no-break or other Unicode space counts as a space)',
    check: (d) => {
      const out: RawFinding[] = [];
      for (const [field, text] of textFields(d)) {
        for (const m of text.matchAll(SPACES)) {
          const before = text[m.index - 1];
          const after = text[m.index + m[0].length];
          // Runs at the start or end of a line belong to body-edge-space.
          if (before === undefined || after === undefined || '\r\n'.includes(before) || '\r\n'.includes(after)) {
            if (field === 'body') continue;
          }
          const odd = [...m[0]].filter((c) => c !== ' ');
          const lookalike = odd.length ? ` (${odd.length === m[0].length ? 'all' : `${odd.length}`} of them ${odd.length === 1 ? 'is' : 'are'} a look-alike: ${[...new Set(odd.map(u))].join(', ')})` : '';
          out.push(f('double-space', field, `${m[0].length} spaces in a row${lookalike}; use a single normal space`, m.index));
        }
      }
      return out;
    },
  },
  {
    id: 'consecutive-line-breaks',
    severity: (p) => (p === 'qontak' ? 'error' : 'warning'),
    description: 'no empty line: at most one line break in a row (CR LF is one)',
    check: (d, ctx) => {
      const out: RawFinding[] = [];
      const br = /\r\n|\n|\r/g;
      let prevEnd = -1;
      let reportedRun = false;
      for (const m of d.body.matchAll(br)) {
        if (m.index === prevEnd) {
          if (!reportedRun) {
            const why = ctx.provider === 'qontak' ? 'Qontak rejects templates with an empty line' : 'Qontak rejects an empty line; Meta allows it';
            out.push(f('consecutive-line-breaks', 'body', `two line breaks in a row (an empty line); ${why} — keep one line break`, m.index));
          }
          reportedRun = true;
        } else reportedRun = false;
        prevEnd = m.index + m[0].length;
      }
      return out;
    },
  },
  {
    id: 'tab-character',
    severity: 'error',
    description: 'no tab characters',
    check: (d) => textFields(d).flatMap(([field, text]) => (text.includes('\t') ? [...text.matchAll(/\t+/g)].map((m) => f('tab-character', field, `a tab character; replace it with one space`, m.index)) : [])),
  },
  {
    id: 'zero-width-character',
    severity: 'warning',
    description: 'no invisible characters (zero-width space, joiner outside an emoji, word joiner, BOM)',
    check: (d) => {
      const out: RawFinding[] = [];
      for (const [field, text] of textFields(d)) {
        if (!ZERO_WIDTH.test(text)) continue;
        for (const m of text.matchAll(ZERO_WIDTH_ALL)) {
          // A joiner between two pictographs (a family, a profession) is part of that emoji.
          if (m[0] === '\u200d' && joinsEmoji(text, m.index)) continue;
          out.push(f('zero-width-character', field, `an invisible character ${u(m[0])}; delete it`, m.index));
        }
      }
      return out;
    },
  },
  {
    id: 'placeholder-syntax',
    severity: 'error',
    description: 'placeholders are written {{1}} (or {{name}} in named style): no spaces, single braces or unbalanced braces',
    check: (d) => {
      const out: RawFinding[] = [];
      const body = d.body;
      const groups = braceGroups(body);
      for (const g of groups) {
        const key = g.inner.trim();
        const raw = body.slice(g.offset, g.offset + g.length);
        if (g.open === 2 && g.close === 2) {
          if (key === '') out.push(f('placeholder-syntax', 'body', `empty placeholder "{{}}"; write ${d.placeholderStyle === 'positional' ? '{{1}}, {{2}}…' : 'a name such as {{name}}'}`, g.offset));
          else if (key !== g.inner) out.push(f('placeholder-syntax', 'body', `${quote(raw)} has spaces inside the braces; write {{${key}}}`, g.offset));
          else if (d.placeholderStyle === 'positional' && !/^\d+$/.test(key)) out.push(f('placeholder-syntax', 'body', `${quote(raw)} is not numbered; this template uses numbered placeholders: write {{1}}, {{2}}… in order`, g.offset));
          else if (d.placeholderStyle === 'named' && !/^\w+$/.test(key)) out.push(f('placeholder-syntax', 'body', `${quote(raw)} is not a placeholder name; use lowercase letters, digits and underscores`, g.offset));
        } else if (g.open === 1 && g.close === 1 && /^\s*\w+\s*$/.test(g.inner)) {
          out.push(f('placeholder-syntax', 'body', `${quote(raw)} has single braces; write {{${key}}}`, g.offset));
        } else if (g.open !== 1 || g.close !== 1) {
          out.push(f('placeholder-syntax', 'body', `${quote(raw)} has ${g.open} opening and ${g.close} closing braces; write {{${key || '1'}}}`, g.offset));
        }
      }
      for (const s of strayBraces(body, groups)) {
        if (s.run === 1 && !/^\{\s*\w/.test(body.slice(s.offset, s.offset + 3)) && !/\w\s*\}$/.test(body.slice(Math.max(0, s.offset - 2), s.offset + 1))) continue;
        const brace = body[s.offset]!.repeat(s.run);
        out.push(f('placeholder-syntax', 'body', `unbalanced "${brace}" with no ${brace[0] === '{' ? 'closing "}}"' : 'opening "{{"'}; complete the placeholder or remove the brace${s.run > 1 ? 's' : ''}`, s.offset));
      }
      return out;
    },
  },
  {
    id: 'placeholder-sequence',
    severity: 'error',
    description: 'numbered placeholders run 1..n, each once, in order of first appearance',
    check: (d) => {
      if (d.placeholderStyle !== 'positional') return [];
      const out: RawFinding[] = [];
      const firsts: { key: string; offset: number }[] = [];
      const seen = new Set<string>();
      for (const p of placeholderUses(d.body)) {
        if (!/^\d+$/.test(p.key)) continue;
        const n = String(Number(p.key));
        if (seen.has(n)) {
          out.push(f('placeholder-sequence', 'body', `{{${p.key}}} is used twice; each numbered placeholder appears once — give the repeat its own number`, p.offset));
          continue;
        }
        seen.add(n);
        firsts.push({ key: p.key, offset: p.offset });
      }
      // One finding for the numbering, at the first placeholder out of place: fixing it renumbers the rest anyway.
      const wrong = firsts.findIndex((p, i) => p.key !== String(i + 1));
      if (wrong >= 0) {
        const p = firsts[wrong]!;
        const now = firsts.map((x) => `{{${x.key}}}`).join(', ');
        const want = firsts.map((_, i) => `{{${i + 1}}}`).join(', ');
        const why = p.key === '0' ? 'numbering starts at {{1}}' : `{{${p.key}}} comes where {{${wrong + 1}}} should`;
        out.push(f('placeholder-sequence', 'body', `${why}: the placeholders appear as ${now}; number them ${want} in order of appearance, with no gaps`, p.offset));
      }
      return out.sort((a, b) => a.offset! - b.offset!);
    },
  },
  {
    id: 'named-placeholder',
    severity: 'error',
    description: 'named placeholders use lowercase letters, digits and underscores, each name once',
    check: (d) => {
      if (d.placeholderStyle !== 'named') return [];
      const out: RawFinding[] = [];
      const seen = new Set<string>();
      for (const p of placeholderUses(d.body)) {
        if (!/^[a-z0-9_]+$/.test(p.key)) out.push(f('named-placeholder', 'body', `{{${p.key}}}: names use lowercase letters, digits and underscores; write {{${p.key.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}}}`, p.offset));
        else if (seen.has(p.key)) out.push(f('named-placeholder', 'body', `{{${p.key}}} is used twice; each named placeholder appears once — rename the repeat`, p.offset));
        seen.add(p.key);
      }
      return out;
    },
  },
  {
    id: 'dangling-placeholder',
    severity: 'error',
    description: 'the body does not start or end with a placeholder',
    check: (d) => {
      const uses = placeholderUses(d.body);
      if (uses.length === 0) return [];
      const out: RawFinding[] = [];
      const first = uses[0]!;
      const last = uses[uses.length - 1]!;
      if (d.body.slice(0, first.offset).trim() === '') out.push(f('dangling-placeholder', 'body', 'the body starts with a placeholder; put some words before it (WhatsApp error 2388299)', first.offset));
      if (d.body.slice(last.offset + last.length).trim() === '') out.push(f('dangling-placeholder', 'body', 'the body ends with a placeholder; put some words or at least a full stop after it (WhatsApp error 2388299)', last.offset));
      return out;
    },
  },
  {
    id: 'adjacent-placeholders',
    severity: 'warning',
    description: 'placeholders are separated by words, not only by spaces',
    check: (d) => {
      const uses = placeholderUses(d.body);
      const out: RawFinding[] = [];
      for (let i = 1; i < uses.length; i++) {
        const a = uses[i - 1]!;
        const b = uses[i]!;
        if (d.body.slice(a.offset + a.length, b.offset).trim() === '') out.push(f('adjacent-placeholders', 'body', `{{${a.key}}} and {{${b.key}}} have nothing but space between them; put words between (reviewers reject templates that are mostly variables)`, b.offset));
      }
      return out;
    },
  },
  {
    id: 'placeholder-density',
    severity: 'warning',
    description: 'words + placeholders ≥ 3 × placeholders + 1',
    check: (d) => {
      const uses = placeholderUses(d.body);
      const n = uses.length;
      if (n === 0) return [];
      let rest = '';
      let at = 0;
      for (const p of uses) {
        rest += `${d.body.slice(at, p.offset)} `;
        at = p.offset + p.length;
      }
      rest += d.body.slice(at);
      const words = rest.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
      const need = 3 * n + 1 - n;
      return words >= need ? [] : [f('placeholder-density', 'body', `${n} placeholder(s) and only ${words} word(s): add at least ${need - words} word(s) or use fewer placeholders (WhatsApp error 2388293)`)];
    },
  },
  {
    id: 'example-values',
    severity: 'warning',
    description: 'every placeholder has an example value when submitting',
    check: (d) => {
      // Templates read from an account never carry examples; Konekwa has no review.
      if (d.source.format !== 'meta') return [];
      const out: RawFinding[] = [];
      const uses = placeholderUses(d.body);
      const keys = [...new Set(uses.map((p) => p.key))];
      if (keys.length > 0 && d.exampleText === undefined) {
        const given = d.exampleKeys ? keys.filter((k) => d.exampleKeys!.includes(k) && d.examples![d.exampleKeys!.indexOf(k)] !== '') : keys.slice(0, (d.examples ?? []).filter((e) => e !== '').length);
        const missing = keys.filter((k) => !given.includes(k));
        if (missing.length) {
          const at = uses.find((p) => p.key === missing[0])!;
          const how = d.placeholderStyle === 'named' ? 'example.body_text_named_params' : 'example.body_text';
          out.push(f('example-values', 'body', `no example value for ${missing.map((k) => `{{${k}}}`).join(', ')}; add ${missing.length === 1 ? 'one' : 'them'} in ${how} — Meta reviews templates with an example for each placeholder`, at.offset));
        }
      }
      const h = d.header;
      if (h?.text !== undefined && placeholderUses(h.text).length > 0 && !(h.example?.length)) {
        out.push(f('example-values', 'header', 'the header placeholder has no example value; add it in example.header_text', placeholderUses(h.text)[0]!.offset));
      }
      d.buttons.forEach((b, i) => {
        if (b.type === 'URL' && b.url !== undefined && placeholderUses(b.url).length > 0 && !(b.example?.length)) {
          out.push(f('example-values', `buttons[${i}].url`, `URL button ${i + 1} has a placeholder but no example; add a full example URL in "example"`, placeholderUses(b.url)[0]!.offset));
        }
      });
      return out;
    },
  },
  {
    id: 'example-special-chars',
    severity: 'error',
    description: 'no #, $ or % inside an example value',
    check: (d) =>
      bodyExamples(d).flatMap(({ field, value }) => {
        const m = /[#$%]/.exec(value);
        if (!m) return [];
        // A URL example legitimately holds percent-escapes.
        if (field.startsWith('buttons[') && m[0] === '%') return [];
        return [f('example-special-chars', field, `example value ${quote(value)} contains "${m[0]}", which Meta refuses in examples; write it without (e.g. "Rp 50.000" rather than "$50")`, m.index)];
      }),
  },
  {
    id: 'emoji-count',
    severity: 'warning',
    description: 'at most 5 emoji in the body',
    check: (d) => {
      const at = emojiOffsets(d.body);
      return at.length > 5 ? [f('emoji-count', 'body', `${at.length} emoji; Qontak advises at most 5 — remove ${at.length - 5}`, at[5])] : [];
    },
  },
  {
    id: 'shortened-link',
    severity: 'warning',
    description: 'no link shorteners (bit.ly, s.id, tinyurl…)',
    check: (d) => {
      if (!d.body.includes('.')) return [];
      return [...d.body.matchAll(SHORTENERS)].map((m) => f('shortened-link', 'body', `shortened link ${m[0]}: reviewers flag link shorteners; put the full link in a placeholder or a URL button instead`, m.index));
    },
  },
  {
    id: 'header-text',
    severity: 'error',
    description: 'text header: at most 60 characters, at most 1 placeholder, no formatting characters',
    check: (d) => {
      const h = d.header;
      if (!h || h.format !== 'TEXT') return [];
      if (h.text === undefined || h.text.trim() === '') return [f('header-text', 'header', 'a TEXT header has no text; write it or remove the header')];
      const out: RawFinding[] = [];
      const n = graphemeLength(h.text);
      if (n > 60) out.push(f('header-text', 'header', `header is ${n} characters; the limit is 60 — shorten by ${n - 60}`));
      const uses = placeholderUses(h.text);
      if (uses.length > 1) out.push(f('header-text', 'header', `header has ${uses.length} placeholders; keep at most 1`, uses[1]!.offset));
      const md = /[*_~`]/.exec(h.text.replace(/\{\{\s*\w+\s*\}\}/g, (s) => ' '.repeat(s.length)));
      if (md) out.push(f('header-text', 'header', `header contains "${md[0]}": formatting characters (* _ ~ \`) are not allowed in a header; remove it`, md.index));
      if (/[\r\n]/.test(h.text)) out.push(f('header-text', 'header', 'header has a line break; a header is one line', h.text.search(/[\r\n]/)));
      return out;
    },
  },
  {
    id: 'footer',
    severity: 'error',
    description: 'footer: at most 60 characters, no placeholders',
    check: (d) => {
      if (d.footer === undefined) return [];
      const out: RawFinding[] = [];
      const n = graphemeLength(d.footer);
      if (n > 60) out.push(f('footer', 'footer', `footer is ${n} characters; the limit is 60 — shorten by ${n - 60}`));
      const uses = placeholderUses(d.footer);
      if (uses.length) out.push(f('footer', 'footer', `a footer cannot hold placeholders; write {{${uses[0]!.key}}}'s text out or move it to the body`, uses[0]!.offset));
      return out;
    },
  },
  {
    id: 'buttons-total',
    severity: 'error',
    description: 'at most 10 buttons; quick replies grouped together',
    check: (d) => {
      const out: RawFinding[] = [];
      if (d.buttons.length > 10) out.push(f('buttons-total', 'buttons[10].text', `${d.buttons.length} buttons; the limit is 10 — remove ${d.buttons.length - 10}`));
      const quick = d.buttons.map((b) => b.type === 'QUICK_REPLY');
      const first = quick.indexOf(true);
      const last = quick.lastIndexOf(true);
      const intruder = first < 0 ? -1 : quick.slice(first, last + 1).indexOf(false);
      if (intruder >= 0) out.push(f('buttons-total', `buttons[${first + intruder}].text`, `button ${first + intruder + 1} (${d.buttons[first + intruder]!.type}) sits between quick replies; put all quick-reply buttons next to each other`));
      return out;
    },
  },
  {
    id: 'button-label',
    severity: 'error',
    description: 'button labels are 1 to 25 characters',
    check: (d) =>
      d.buttons.flatMap((b, i) => {
        const n = graphemeLength(b.text);
        if (b.text.trim() === '') return [f('button-label', `buttons[${i}].text`, `button ${i + 1} has no label; write one of at most 25 characters`)];
        return n > 25 ? [f('button-label', `buttons[${i}].text`, `button label ${quote(b.text)} is ${n} characters; the limit is 25 — shorten by ${n - 25}`)] : [];
      }),
  },
  {
    id: 'url-button',
    severity: 'error',
    description: 'at most 2 URL buttons; URL at most 2000 characters with at most one placeholder, at the end',
    check: (d) => {
      const out: RawFinding[] = [];
      const urls = d.buttons.map((b, i) => ({ b, i })).filter(({ b }) => b.type === 'URL');
      if (urls.length > 2) out.push(f('url-button', `buttons[${urls[2]!.i}].text`, `${urls.length} URL buttons; the limit is 2 — remove ${urls.length - 2}`));
      for (const { b, i } of urls) {
        const url = b.url ?? '';
        const field = `buttons[${i}].url`;
        if (url.trim() === '') {
          out.push(f('url-button', field, `URL button ${i + 1} has no url`));
          continue;
        }
        if (!/^https?:\/\//i.test(url)) out.push(f('url-button', field, `URL ${quote(url)} does not start with https:// or http://`, 0));
        if (url.length > 2000) out.push(f('url-button', field, `URL is ${url.length} characters; the limit is 2000 — shorten by ${url.length - 2000}`, 2000));
        const uses = placeholderUses(url);
        if (uses.length > 1) out.push(f('url-button', field, `URL has ${uses.length} placeholders; keep at most 1, at the end`, uses[1]!.offset));
        else if (uses.length === 1 && uses[0]!.offset + uses[0]!.length !== url.length) out.push(f('url-button', field, `the URL placeholder {{${uses[0]!.key}}} must be the last thing in the URL; move it to the end`, uses[0]!.offset));
      }
      return out;
    },
  },
  {
    id: 'phone-button',
    severity: 'error',
    description: 'at most 1 phone button; number at most 20 characters',
    check: (d) => {
      const out: RawFinding[] = [];
      const phones = d.buttons.map((b, i) => ({ b, i })).filter(({ b }) => b.type === 'PHONE_NUMBER');
      if (phones.length > 1) out.push(f('phone-button', `buttons[${phones[1]!.i}].text`, `${phones.length} phone buttons; the limit is 1 — remove ${phones.length - 1}`));
      for (const { b, i } of phones) {
        const n = b.phone_number ?? '';
        if (n.trim() === '') out.push(f('phone-button', `buttons[${i}].phone_number`, `phone button ${i + 1} has no phone_number`));
        else if (n.length > 20) out.push(f('phone-button', `buttons[${i}].phone_number`, `phone number ${quote(n)} is ${n.length} characters; the limit is 20 — write it as digits with the country code, e.g. +6281234567890`, 20));
      }
      return out;
    },
  },
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);

/** Default severity of every rule for a provider. */
export function defaultSeverities(provider: Provider = 'qontak'): Record<string, Severity> {
  return Object.fromEntries(RULES.map((r) => [r.id, typeof r.severity === 'function' ? r.severity(provider) : r.severity]));
}
