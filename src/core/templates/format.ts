// Findings as editor-style text lines, GitHub workflow annotations, or a JSON report. Pure: strings in, strings out.
import type { Finding } from './model.js';

export interface TemplateResult {
  /** The file as the user named it, or a label such as "remote:<name>" for an account's template. */
  file: string;
  /** The template's name. */
  template: string;
  findings: Finding[];
}

const where = (file: string, f: Finding) => (f.fileLine === undefined ? file : `${file}:${f.fileLine}:${f.fileColumn}`);
const inField = (r: TemplateResult, f: Finding) => `${r.template || '(no name)'}, ${f.field}${f.line !== undefined ? ` ${f.line}:${f.column}` : ''}`;

/** One line per finding: `file:line:col severity rule-id message (template, field line:col)`. */
export function formatText(results: readonly TemplateResult[]): string {
  return results.flatMap((r) => r.findings.map((f) => `${where(r.file, f)} ${f.severity} ${f.ruleId} ${f.message} (${inField(r, f)})`)).join('\n');
}

// Workflow commands: %, CR and LF are escaped in the message; ',' and ':' too in properties.
const escData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string) => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error file=F,line=L,col=C,title=rule-id::message` annotation per finding (::warning for warnings). */
export function formatGithub(results: readonly TemplateResult[]): string {
  return results
    .flatMap((r) =>
      r.findings.map((f) => {
        const pos = f.fileLine === undefined ? '' : `,line=${f.fileLine},col=${f.fileColumn}`;
        return `::${f.severity} file=${escProp(r.file)}${pos},title=${escProp(f.ruleId)}::${escData(`${f.message} (${inField(r, f)})`)}`;
      }),
    )
    .join('\n');
}

export interface JsonReport {
  results: TemplateResult[];
  totals: { templates: number; errors: number; warnings: number };
}

export function toJsonReport(results: readonly TemplateResult[]): JsonReport {
  let errors = 0;
  let warnings = 0;
  for (const r of results) for (const f of r.findings) f.severity === 'error' ? errors++ : warnings++;
  return { results: results.map((r) => ({ file: r.file, template: r.template, findings: r.findings })), totals: { templates: results.length, errors, warnings } };
}
