// Templates as `templates validate` checked them: each with its findings, and the totals.
import type { Result } from '../../core/template-rules/index.js';
import { findingJson } from './problem.js';

export function templateCheckJson(results: readonly Result[]) {
  const all = results.flatMap((r) => r.findings);
  return {
    templates: results.map((r) => ({ file: r.doc.source.file, name: r.doc.name, language: r.doc.language ?? null, findings: r.findings.map(findingJson) })),
    errors: all.filter((f) => f.severity === 'error').length,
    warnings: all.filter((f) => f.severity === 'warning').length,
  };
}
