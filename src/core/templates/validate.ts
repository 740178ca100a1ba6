// Runs the structure rules over a template and places every finding in its field and in the file.
import type { Field, Finding, Provider, Severity, SeveritySetting, TemplateDoc } from './model.js';
import { RULES } from './rules.js';
import { positionInField } from './text.js';

export interface ValidateOptions {
  /** Per-rule override from the profile: 'off' drops the rule. */
  severities?: Record<string, SeveritySetting>;
  /**
   * Whose rules apply where Qontak and Meta differ (consecutive-line-breaks). Without it: konekwa for a Konekwa
   * template, qontak for everything else (create JSON goes to Qontak's create endpoint).
   */
  profileProvider?: Provider;
}

/** The text a field holds, to turn an offset in it into a line and column. */
export function fieldText(doc: TemplateDoc, field: Field): string | undefined {
  switch (field) {
    case 'name':
      return doc.name;
    case 'language':
      return doc.language;
    case 'category':
      return doc.category;
    case 'body':
      return doc.body;
    case 'header':
      return doc.header?.text;
    case 'footer':
      return doc.footer;
  }
  let m = /^examples\[(\d+)\]$/.exec(field);
  if (m) return doc.examples?.[Number(m[1])];
  m = /^header\.example\[(\d+)\]$/.exec(field);
  if (m) return doc.header?.example?.[Number(m[1])];
  m = /^buttons\[(\d+)\]\.example\[(\d+)\]$/.exec(field);
  if (m) return doc.buttons[Number(m[1])]?.example?.[Number(m[2])];
  m = /^buttons\[(\d+)\]\.(text|url|phone_number)$/.exec(field);
  if (m) return doc.buttons[Number(m[1])]?.[m[2] as 'text' | 'url' | 'phone_number'];
  return undefined;
}

// Messages quote the template's own text: control characters must not break one-line output.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Every structure-rule finding for one template, in file order. */
export function validateTemplate(doc: TemplateDoc, opts: ValidateOptions = {}): Finding[] {
  const provider: Provider = opts.profileProvider ?? (doc.source.format === 'konekwa' ? 'konekwa' : 'qontak');
  const overrides = opts.severities ?? {};
  const out: Finding[] = [];
  for (const rule of RULES) {
    const override = overrides[rule.id];
    if (override === 'off') continue;
    const base: Severity = typeof rule.severity === 'function' ? rule.severity(provider) : rule.severity;
    for (const raw of rule.check(doc, { provider })) {
      const finding: Finding = { ruleId: raw.ruleId, severity: override ?? raw.severity ?? base, message: oneLine(raw.message), field: raw.field };
      if (raw.offset !== undefined) {
        const text = fieldText(doc, raw.field);
        if (text !== undefined) Object.assign(finding, positionInField(text, raw.offset));
      }
      const at = doc.source.locate?.(raw.field, raw.offset);
      if (at) {
        finding.fileLine = at.line;
        finding.fileColumn = at.column;
      }
      out.push(finding);
    }
  }
  return out.sort((a, b) => (a.fileLine ?? 0) - (b.fileLine ?? 0) || (a.fileColumn ?? 0) - (b.fileColumn ?? 0) || a.ruleId.localeCompare(b.ruleId));
}
