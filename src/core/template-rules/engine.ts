// Runs every rule over a template and places each finding: field line:column, and file line:column where known.
import type { Field, TemplateDoc } from './model.js';
import { RULES, type Severity } from './rules.js';
import { positionIn } from './text.js';

export type SeverityOverride = Severity | 'off';

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  field: Field;
  /** Inside the field's text. */
  line?: number;
  column?: number;
  /** In the source file. */
  fileLine?: number;
  fileColumn?: number;
}

function fieldText(doc: TemplateDoc, field: Field): string {
  if (field === 'body') return doc.body ?? '';
  if (field === 'header') return doc.header?.text ?? '';
  if (field === 'footer') return doc.footer ?? '';
  if (field === 'name') return doc.name;
  const m = /^buttons\[(\d+)\]\.(\w+)$/.exec(field);
  if (m) return String((doc.buttons[Number(m[1])] as unknown as Record<string, unknown> | undefined)?.[m[2]!] ?? '');
  const e = /^examples\[(\d+)\]$/.exec(field);
  if (e) return doc.examples?.[Number(e[1])] ?? '';
  return '';
}

/**
 * A profile's `rules` setting as the engine reads it. An id no rule has (a typo, or a rule renamed) or a value other
 * than error, warning or off would otherwise do nothing without a word: each is named in one warning and left out.
 */
export function ruleSeverities(rules: Record<string, unknown> | undefined, where: string, warn: (message: string) => void): Record<string, SeverityOverride> {
  const known = new Set(RULES.map((r) => r.id));
  const out: Record<string, SeverityOverride> = {};
  const unknown: string[] = [];
  const badValues: string[] = [];
  for (const [id, value] of Object.entries(rules ?? {})) {
    if (!known.has(id)) unknown.push(id);
    else if (value === 'error' || value === 'warning' || value === 'off') out[id] = value;
    else badValues.push(`${id}: ${JSON.stringify(value)}`);
  }
  if (unknown.length) {
    warn(`${where}: no rule has the id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')} (ignored). Known ids: ${[...known].join(', ')}.`);
  }
  if (badValues.length) warn(`${where}: ${badValues.join(', ')} (ignored); a rule is set to "error", "warning" or "off".`);
  return out;
}

/**
 * How many findings of one rule in one field are listed; the rest are counted in one more finding. A body far past
 * its limit (a file pasted by mistake) can break one rule millions of times: listing them all took minutes. The
 * fields of a list (every example, every button's label) count as one: a million examples are one field here.
 */
export const MAX_FINDINGS_PER_FIELD = 20;

export function validateTemplate(doc: TemplateDoc, severities: Record<string, SeverityOverride> = {}): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    const override = severities[rule.id];
    if (override === 'off') continue;
    const listed = new Map<string, { count: number; last: Finding }>();
    for (const raw of rule.check(doc)) {
      const family = raw.field.replace(/\[\d+\]/g, '[…]');
      const seen = listed.get(family);
      if (seen && seen.count >= MAX_FINDINGS_PER_FIELD) {
        seen.count++;
        continue;
      }
      // Messages quote the template's own text; control characters in it must not break the one-line output.
      const message = raw.message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const finding: Finding = { ruleId: raw.ruleId, severity: override ?? raw.severity ?? rule.severity, message, field: raw.field };
      const offset = raw.offset ?? 0;
      if (raw.offset !== undefined) Object.assign(finding, positionIn(fieldText(doc, raw.field), raw.offset));
      const at = doc.source.locate?.(raw.field, offset);
      if (at) {
        finding.fileLine = at.line;
        finding.fileColumn = at.column;
      }
      out.push(finding);
      listed.set(family, { count: (seen?.count ?? 0) + 1, last: finding });
    }
    for (const [family, { count, last }] of listed) {
      if (count <= MAX_FINDINGS_PER_FIELD) continue;
      // Placed where the last one listed is, so it reads right after it.
      const more = count - MAX_FINDINGS_PER_FIELD;
      out.push({ ...last, message: `and ${more} more like this in ${family} (only the first ${MAX_FINDINGS_PER_FIELD} are listed)` });
    }
  }
  return out.sort((a, b) => (a.fileLine ?? 0) - (b.fileLine ?? 0) || (a.fileColumn ?? 0) - (b.fileColumn ?? 0) || a.ruleId.localeCompare(b.ruleId));
}
