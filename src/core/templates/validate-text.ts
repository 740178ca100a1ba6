// The common path for a file: read every template in it and check each one.
import type { TemplateResult } from './format.js';
import { parseTemplateText } from './parse.js';
import { validateTemplate, type ValidateOptions } from './validate.js';

/** Parses a JSON text and validates every template in it; throws TemplateFileError when the file cannot be read. */
export function validateText(text: string, file: string, opts: ValidateOptions = {}): TemplateResult[] {
  return parseTemplateText(text, file).map((doc) => ({ file, template: doc.name, findings: validateTemplate(doc, opts) }));
}
