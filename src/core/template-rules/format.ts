// Findings as text lines or GitHub workflow annotations (--json is the CLI's presenter).
import type { Finding } from './engine.js';
import type { TemplateDoc } from './model.js';
import { annotation } from '../../util/workflow-command.js';

export interface Result {
  doc: TemplateDoc;
  findings: Finding[];
}

const where = (r: Result, f: Finding) => (f.fileLine === undefined ? r.doc.source.file : `${r.doc.source.file}:${f.fileLine}:${f.fileColumn}`);
const within = (f: Finding) => (f.line !== undefined ? ` (${f.field} ${f.line}:${f.column})` : ` (${f.field})`);

export function formatText(results: readonly Result[]): string[] {
  return results.flatMap((r) => r.findings.map((f) => `${where(r, f)} ${f.severity} ${f.ruleId} ${r.doc.name || '(no name)'}: ${f.message}${within(f)}`));
}

export function formatGithub(results: readonly Result[]): string[] {
  return results.flatMap((r) =>
    r.findings.map((f) => annotation(f.severity, { file: r.doc.source.file, line: f.fileLine ?? 1, col: f.fileColumn ?? 1, title: f.ruleId }, `${r.doc.name}: ${f.message}`)),
  );
}
