// Template core: reading, structure rules, send-time rules and report formats. No I/O here.
export type { Field, Finding, PlaceholderStyle, Provider, Severity, SeveritySetting, SourceFormat, TemplateButton, TemplateDoc, TemplateHeader, TemplateSource } from './model.js';
export { parseTemplateText, toTemplateDoc, fromRemoteTemplate } from './parse.js';
export { TemplateFileError } from './json-source.js';
export { validateTemplate, fieldText, type ValidateOptions } from './validate.js';
export { RULES, RULE_IDS, defaultSeverities, BODY_LIMIT, CATEGORIES, LEGACY_CATEGORIES, type Rule } from './rules.js';
export { checkSendValues, checkVariableName, renderBody, type SendCheckOptions } from './send.js';
export { placeholdersOf } from './placeholders.js';
export { templateSendRules } from './send-rules.js';
export { graphemeLength, forEachGrapheme, emojiOffsets } from './text.js';
export { formatText, formatGithub, toJsonReport, type TemplateResult, type JsonReport } from './format.js';
export { validateText } from './validate-text.js';
