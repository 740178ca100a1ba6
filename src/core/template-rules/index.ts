export { parseTemplates, fromRemote, type TemplateDoc, type Field, type Button } from './model.js';
export { validateTemplate, ruleSeverities, type Finding, type SeverityOverride } from './engine.js';
export { RULES, RULE_IDS, type Severity } from './rules.js';
export { formatText, formatGithub, type Result } from './format.js';
export { graphemeLength } from './text.js';
