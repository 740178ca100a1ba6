// The send-time rules in the shape the broadcast planner asks for (core/send/plan.ts SendRules), so it can use these
// checks without knowing TemplateDoc. A listed template is converted once and remembered for the whole run.
import type { TemplateDoc } from './model.js';
import { fromRemoteTemplate } from './parse.js';
import { placeholdersOf } from './placeholders.js';
import { checkSendValues, checkVariableName, renderBody } from './send.js';

type Listed = Parameters<typeof fromRemoteTemplate>[0];

const docs = new WeakMap<object, TemplateDoc>();
function docOf(t: Listed): TemplateDoc {
  let d = docs.get(t);
  if (!d || d.body !== t.body) {
    d = fromRemoteTemplate(t, 'qontak');
    docs.set(t, d);
  }
  return d;
}

export const templateSendRules = {
  placeholders: placeholdersOf,
  checkValues(template: Listed, values: Record<string, string>, buttons?: Record<string, string>): { ruleId: string; message: string }[] {
    return checkSendValues(docOf(template), values, buttons ? { buttons } : {}).map((f) => ({ ruleId: f.ruleId, message: f.message }));
  },
  checkVariableName(name: string): string | null {
    return checkVariableName(name)?.message ?? null;
  },
  render: renderBody,
};
