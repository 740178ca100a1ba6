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

export function validateTemplate(doc: TemplateDoc, severities: Record<string, SeverityOverride> = {}): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    const override = severities[rule.id];
    if (override === 'off') continue;
    for (const raw of rule.check(doc)) {
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
    }
  }
  return out.sort((a, b) => (a.fileLine ?? 0) - (b.fileLine ?? 0) || (a.fileColumn ?? 0) - (b.fileColumn ?? 0) || a.ruleId.localeCompare(b.ruleId));
}
