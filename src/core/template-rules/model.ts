// One template shape for every input: Meta/Qontak create JSON, the object the Qontak API returns, a Konekwa template.
import { InputError } from '../../errors.js';
import { lineColumn, parseWithPositions, type Located } from './json-positions.js';

export type Field = 'name' | 'language' | 'category' | 'body' | 'header' | 'footer' | `buttons[${number}].text` | `buttons[${number}].url` | `buttons[${number}].phone_number` | `examples[${number}]`;

export interface Button {
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
}

export interface TemplateDoc {
  kind: 'meta' | 'qontak' | 'konekwa';
  name: string;
  language?: string;
  category?: string;
  body?: string;
  header?: { format: string; text?: string };
  footer?: string;
  buttons: Button[];
  /** Example values for the body placeholders, when given. */
  examples?: string[];
  status?: string;
  /** Where it came from, to turn a field offset into file:line:column. */
  source: { file: string; locate?: (field: Field, offset: number) => { line: number; column: number } | undefined };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A button as `templates list --json` prints it (`phoneNumber`) read as the API writes it (`phone_number`). */
const fromPrinted = (b: Button & { phoneNumber?: unknown }): Button =>
  b && typeof b === 'object' && b.phone_number === undefined && typeof b.phoneNumber === 'string' ? { ...b, phone_number: b.phoneNumber } : b;

/** Reads one input (one template or an array of them) from JSON text. */
export function parseTemplates(text: string, file: string): TemplateDoc[] {
  const located = parseWithPositions(text, file);
  const items = Array.isArray(located.value) ? located.value : [located.value];
  const wrapped = (located.value as { data?: unknown })?.data;
  // `templates list --json` of the API envelope: {"data": [...]}
  const list = !Array.isArray(located.value) && Array.isArray(wrapped) ? (wrapped as unknown[]) : items;
  const base = !Array.isArray(located.value) && Array.isArray(wrapped) ? '/data' : Array.isArray(located.value) ? '' : undefined;
  return list.map((item, i) => toDoc(item, file, located, base === undefined ? '' : `${base}/${i}`));
}

function toDoc(raw: unknown, file: string, located: Located, pointer: string): TemplateDoc {
  if (typeof raw !== 'object' || raw === null) throw new InputError(`${file}: ${pointer || 'the file'} is not a template object`);
  const o = raw as Record<string, unknown>;
  const where: Partial<Record<Field, string>> = {};
  let doc: TemplateDoc;
  if (Array.isArray(o.components)) {
    const comps = o.components as Record<string, unknown>[];
    const idx = (type: string) => comps.findIndex((c) => String(c?.type).toUpperCase() === type);
    const bodyAt = idx('BODY');
    const headerAt = idx('HEADER');
    const footerAt = idx('FOOTER');
    const buttonsAt = idx('BUTTONS');
    const body = bodyAt >= 0 ? comps[bodyAt]! : undefined;
    const example = (body?.example as { body_text?: unknown[][] } | undefined)?.body_text?.[0];
    doc = {
      kind: 'meta',
      name: str(o.name) ?? '',
      ...(str(o.language) !== undefined ? { language: str(o.language)! } : {}),
      ...(str(o.category) !== undefined ? { category: str(o.category)! } : {}),
      ...(body ? { body: str(body.text) ?? '' } : {}),
      ...(headerAt >= 0 ? { header: { format: String(comps[headerAt]!.format ?? 'TEXT'), ...(str(comps[headerAt]!.text) !== undefined ? { text: str(comps[headerAt]!.text)! } : {}) } } : {}),
      ...(footerAt >= 0 ? { footer: str(comps[footerAt]!.text) ?? '' } : {}),
      buttons: buttonsAt >= 0 && Array.isArray(comps[buttonsAt]!.buttons) ? (comps[buttonsAt]!.buttons as Button[]) : [],
      ...(Array.isArray(example) ? { examples: example.map(String) } : {}),
      source: { file },
    };
    where.body = `${pointer}/components/${bodyAt}/text`;
    where.header = `${pointer}/components/${headerAt}/text`;
    where.footer = `${pointer}/components/${footerAt}/text`;
    doc.buttons.forEach((_, i) => {
      where[`buttons[${i}].text`] = `${pointer}/components/${buttonsAt}/buttons/${i}/text`;
      where[`buttons[${i}].url`] = `${pointer}/components/${buttonsAt}/buttons/${i}/url`;
    });
    doc.examples?.forEach((_, i) => (where[`examples[${i}]`] = `${pointer}/components/${bodyAt}/example/body_text/0/${i}`));
  } else if (typeof o.content === 'string' && o.body === undefined) {
    doc = { kind: 'konekwa', name: str(o.name) ?? '', body: o.content, buttons: [], source: { file } };
    where.body = `${pointer}/content`;
  } else {
    const header = o.header as { format?: unknown; text?: unknown } | null | undefined;
    doc = {
      kind: 'qontak',
      name: str(o.name) ?? '',
      ...(str(o.language) !== undefined ? { language: str(o.language)! } : {}),
      ...(str(o.category) !== undefined ? { category: str(o.category)! } : {}),
      ...(o.body !== undefined && o.body !== null ? { body: String(o.body) } : {}),
      ...(header ? { header: { format: String(header.format ?? 'TEXT'), ...(str(header.text) !== undefined ? { text: str(header.text)! } : {}) } } : {}),
      ...(typeof o.footer === 'string' ? { footer: o.footer } : {}),
      buttons: Array.isArray(o.buttons) ? (o.buttons as Button[]).map(fromPrinted) : [],
      ...(str(o.status) ? { status: str(o.status)! } : {}),
      source: { file },
    };
    where.body = `${pointer}/body`;
    where.header = `${pointer}/header/text`;
    where.footer = `${pointer}/footer`;
    doc.buttons.forEach((_, i) => {
      where[`buttons[${i}].text`] = `${pointer}/buttons/${i}/text`;
      where[`buttons[${i}].url`] = `${pointer}/buttons/${i}/url`;
    });
  }
  where.name = `${pointer}/name`;
  where.language = `${pointer}/language`;
  where.category = `${pointer}/category`;
  doc.source.locate = (field, offset) => {
    const span = where[field] !== undefined ? located.strings.get(where[field]!) : undefined;
    if (!span) return undefined;
    return lineColumn(located.lineStarts, located.offsetIn(span, offset));
  };
  return doc;
}

/** A template from the account (templates validate --remote). */
export function fromRemote(t: { name: string; language: string; category: string; body: string; header: { format: string; text?: string } | null; footer: string | null; buttons: Button[]; status: string }, provider: 'qontak' | 'konekwa'): TemplateDoc {
  return {
    kind: provider === 'konekwa' ? 'konekwa' : 'qontak',
    name: t.name,
    ...(provider === 'qontak' ? { language: t.language, category: t.category } : {}),
    body: t.body,
    ...(t.header ? { header: t.header } : {}),
    ...(t.footer !== null ? { footer: t.footer } : {}),
    buttons: t.buttons,
    status: t.status,
    source: { file: `remote:${t.name}${t.language ? `/${t.language}` : ''}` },
  };
}
