// Templates as code: the templates kept in a folder, compared with the account by name and language, and the creation
// of those the account lacks. Nothing on the account is ever edited or deleted: a submitted template cannot be changed,
// so one that differs needs a new name from its author. Creating is safe to repeat: each name is looked up right
// before it is created, and the adapter never posts a create again without looking first, so an answer lost after
// the server acted never makes a second.
import { AuthError, WaError } from '../errors.js';
import { TransportError } from '../providers/errors.js';
import type { Provider, RemoteButton, RemoteTemplate, TemplateCreate } from '../providers/port.js';
import { validateTemplate, type Finding, type SeverityOverride, type TemplateDoc } from './template-rules/index.js';
import { rejectionReason } from './template-review.js';

export type PlanKind = 'create' | 'same' | 'differs' | 'rejected' | 'invalid';
export const PLAN_KINDS: readonly PlanKind[] = ['create', 'same', 'differs', 'rejected', 'invalid'];

export interface PlanItem {
  doc: TemplateDoc;
  kind: PlanKind;
  findings: Finding[];
  /** The account's template of that name and language. */
  remote?: RemoteTemplate;
  /** The parts that differ (differs), e.g. ["body", "footer"]. */
  differences?: string[];
  /** Why, in a few words: the rejection reason, the errors, the provider's limit, a part the API does not show. */
  note?: string;
}

export interface TemplatePlan {
  provider: Provider['name'];
  items: PlanItem[];
  counts: Record<PlanKind, number>;
}

/** Konekwa templates have no language: there the name alone identifies one. */
const keyOf = (provider: Provider['name'], name: string, language: string | undefined): string => (provider === 'konekwa' ? name : `${name}\u0000${language ?? ''}`);

/** A file's template as the create call takes it (`templates create` and `templates apply` alike). */
export function createRequest(doc: TemplateDoc): TemplateCreate {
  return {
    name: doc.name,
    language: doc.language ?? '',
    category: doc.category ?? '',
    body: doc.body ?? '',
    ...(doc.header ? { header: doc.header } : {}),
    ...(doc.footer !== undefined ? { footer: doc.footer } : {}),
    buttons: doc.buttons,
    ...(doc.examples ? { bodyExamples: doc.examples } : {}),
  };
}

/** Why this provider cannot take the file as it is, or undefined. */
function unfit(provider: Provider['name'], doc: TemplateDoc): string | undefined {
  if (provider === 'konekwa' && doc.kind !== 'konekwa') {
    return 'Konekwa templates are {name, content} texts with named placeholders; this file is a Meta/Qontak template';
  }
  if (provider === 'qontak' && doc.kind === 'konekwa') return 'a Konekwa {name, content} template; Qontak needs a Meta template with language, category and components';
  return undefined;
}

const buttonKey = (b: Pick<RemoteButton, 'type' | 'text' | 'url' | 'phone_number'>): string => JSON.stringify([String(b.type).toUpperCase(), b.text ?? '', b.url ?? '', b.phone_number ?? '']);

/** The parts of the file that the account's template does not match; notes for parts the API does not show. */
function compare(doc: TemplateDoc, remote: RemoteTemplate): { differences: string[]; notes: string[] } {
  const differences: string[] = [];
  const notes: string[] = [];
  if ((doc.body ?? '') !== remote.body) differences.push('body');
  const want = doc.header ?? null;
  const have = remote.header;
  if ((want === null) !== (have === null) || (want && have && want.format.toUpperCase() !== have.format.toUpperCase())) differences.push('header');
  else if (want?.text !== undefined && have) {
    // Qontak's template objects carry the header's format and example, not its text (get_templates_whatsapp_200.json).
    if (have.text === undefined) notes.push('header text not shown by the API, compared by format');
    else if (have.text !== want.text) differences.push('header');
  }
  if ((doc.footer ?? '') !== (remote.footer ?? '')) differences.push('footer');
  if (JSON.stringify(doc.buttons.map(buttonKey)) !== JSON.stringify(remote.buttons.map(buttonKey))) differences.push('buttons');
  return { differences, notes };
}

/** Meta's final answers that are not an approval. */
const REFUSED = ['REJECTED', 'DISABLED', 'PAUSED', 'DELETED', 'PENDING_DELETION'];

function judge(doc: TemplateDoc, remote: RemoteTemplate, findings: Finding[]): PlanItem {
  const status = remote.status.toUpperCase();
  if (REFUSED.includes(status)) {
    return { doc, kind: 'rejected', findings, remote, note: `${status.toLowerCase()}: ${rejectionReason(remote) ?? 'the API gives no reason'}; pick a new name` };
  }
  const { differences, notes } = compare(doc, remote);
  if (differences.length > 0) {
    return { doc, kind: 'differs', findings, remote, differences, note: `${differences.join(', ')} differ${differences.length === 1 ? 's' : ''}; a submitted template cannot be edited: pick a new name` };
  }
  return { doc, kind: 'same', findings, remote, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

function counted(provider: Provider['name'], items: PlanItem[]): TemplatePlan {
  const counts = Object.fromEntries(PLAN_KINDS.map((k) => [k, 0])) as Record<PlanKind, number>;
  for (const i of items) counts[i.kind]++;
  return { provider, items, counts };
}

/** Each file's template linted (the rules of `templates validate`) and compared with the account. */
export async function planTemplates(provider: Provider, docs: readonly TemplateDoc[], severities: Record<string, SeverityOverride>): Promise<TemplatePlan> {
  const remote = new Map<string, RemoteTemplate>();
  for await (const t of provider.listTemplates({})) remote.set(keyOf(provider.name, t.name, t.language), t);
  const seen = new Map<string, TemplateDoc>();
  const items = docs.map((doc): PlanItem => {
    const findings = validateTemplate(doc, severities);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const key = keyOf(provider.name, doc.name, doc.language);
    const twin = seen.get(key);
    seen.set(key, twin ?? doc);
    if (twin) return { doc, kind: 'invalid', findings, note: `${doc.name}${doc.language ? ` (${doc.language})` : ''} is also in ${twin.source.file}` };
    if (errors > 0) return { doc, kind: 'invalid', findings, note: `${errors} error(s); \`wa-cli templates validate ${doc.source.file}\` lists them` };
    const notFit = unfit(provider.name, doc);
    if (notFit) return { doc, kind: 'invalid', findings, note: notFit };
    const there = remote.get(key);
    return there ? judge(doc, there, findings) : { doc, kind: 'create', findings };
  });
  return counted(provider.name, items);
}

/** The account's template of this name and language, looked up now (a name filter, then an exact match here). */
export async function findOnAccount(provider: Provider, doc: TemplateDoc): Promise<RemoteTemplate | undefined> {
  const key = keyOf(provider.name, doc.name, doc.language);
  for await (const t of provider.listTemplates({ query: doc.name })) if (keyOf(provider.name, t.name, t.language) === key) return t;
  return undefined;
}

export type ApplyResult = 'created' | 'exists' | 'failed' | 'unknown';

export interface ApplyOutcome {
  item: PlanItem;
  result: ApplyResult;
  /** The template on the account after the step: created, or found. */
  template?: RemoteTemplate;
  message?: string;
  /** The exit code a failure carries (6 for a transient one). */
  exitCode?: number;
}

/**
 * Creates every template the plan marks `create`, one at a time, never editing or deleting. Before each create the
 * name is looked up (one created meanwhile is compared, not created). After a 429 or an answer lost once the server
 * acted, the adapter finds the template by name rather than posting again; a create it still cannot settle is
 * reported unknown. Rejected credentials stop at once (every create would fail).
 */
export async function applyPlan(provider: Provider, plan: TemplatePlan, onStep?: (o: ApplyOutcome) => void): Promise<ApplyOutcome[]> {
  const out: ApplyOutcome[] = [];
  const record = (o: ApplyOutcome): void => {
    out.push(o);
    onStep?.(o);
  };
  for (const item of plan.items) {
    if (item.kind !== 'create') continue;
    const before = await findOnAccount(provider, item.doc);
    if (before) {
      record(foundInstead(item, before, 'created meanwhile (found before creating)'));
      continue;
    }
    try {
      record({ item, result: 'created', template: await provider.createTemplate(createRequest(item.doc)) });
    } catch (err) {
      if (err instanceof AuthError || !(err instanceof WaError)) throw err;
      const maybe = err instanceof TransportError && err.maybeActed;
      record({
        item,
        result: maybe ? 'unknown' : 'failed',
        message: maybe ? `${err.message} Run apply again later: it looks before it creates.` : err.message,
        exitCode: err.exitCode,
      });
    }
  }
  return out;
}

/** A template found on the account where the plan meant to create one: the same as the file, or not. */
function foundInstead(item: PlanItem, found: RemoteTemplate, message: string): ApplyOutcome {
  const judged = judge(item.doc, found, item.findings);
  if (judged.kind === 'same') return { item, result: 'exists', template: found, message };
  return { item, result: 'failed', template: found, message: `${item.doc.name} is on the account but ${judged.note ?? judged.kind}`, exitCode: 1 };
}
