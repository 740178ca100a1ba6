// Reading templates from JSON text: Meta/Qontak create JSON, the template object Qontak's API returns (bare, in a
// list, or inside the API envelope), and Konekwa's {name, content}. Positions are worked out only when asked for.
import { indexJson, lineColumn, pointerToken, rawOffset, TemplateFileError, type JsonIndex } from './json-source.js';
import type { SourceFormat, TemplateButton, TemplateDoc, TemplateHeader, TemplateSource } from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : undefined);

/** One lazily built position index per file, shared by every template in it. */
class FilePositions {
  private index: JsonIndex | undefined;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}
  private get idx(): JsonIndex {
    this.index ??= indexJson(this.text, this.file);
    return this.index;
  }
  locate(pointer: string | undefined, fallback: string, offset: number | undefined): { line: number; column: number } | undefined {
    const { starts, lineStarts } = this.idx;
    const at = pointer === undefined ? undefined : starts.get(pointer);
    if (at === undefined) {
      const base = starts.get(fallback);
      return base === undefined ? undefined : lineColumn(lineStarts, base);
    }
    const isString = this.text.charCodeAt(at) === 34;
    return lineColumn(lineStarts, isString && offset !== undefined ? rawOffset(this.text, at, offset) : at);
  }
}

const looksLikeTemplate = (o: Obj) => Array.isArray(o.components) || 'content' in o || typeof o.body === 'string' || o.body === null;

/** Unwraps the API envelope ({status, data}) and the recorded-response wrapper ({_path, body: {…}}). */
function unwrap(value: unknown, pointer: string): { items: { value: unknown; pointer: string }[]; single: boolean } {
  let v = value;
  let p = pointer;
  for (let depth = 0; depth < 4 && isObj(v) && !looksLikeTemplate(v); depth++) {
    if ('data' in v && (Array.isArray(v.data) || isObj(v.data))) {
      v = v.data;
      p += '/data';
    } else if (isObj(v.body)) {
      v = v.body;
      p += '/body';
    } else break;
  }
  if (Array.isArray(v)) return { items: v.map((value, i) => ({ value, pointer: `${p}/${i}` })), single: false };
  return { items: [{ value: v, pointer: p }], single: true };
}

/**
 * Reads every template in a JSON text: one object or an array of them, bare or in Qontak's response envelope.
 * Throws TemplateFileError ("file:line:col: …") for invalid JSON or an entry that is not a template.
 */
export function parseTemplateText(text: string, file: string): TemplateDoc[] {
  let value: unknown;
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  try {
    value = JSON.parse(bom ? text.slice(1) : text);
  } catch (e) {
    indexJson(text, file); // throws with the line and column
    throw new TemplateFileError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const positions = new FilePositions(text, file);
  const { items } = unwrap(value, '');
  const docs: TemplateDoc[] = [];
  items.forEach(({ value: item, pointer }, index) => {
    const doc = toTemplateDoc(item, { file, pointer, index });
    if (!doc) {
      const at = positions.locate(pointer, '', undefined);
      const where = at ? `${file}:${at.line}:${at.column}` : file;
      throw new TemplateFileError(`${where}: not a template: expected an object with "components" (create JSON), "body" (Qontak) or "content" (Konekwa)`);
    }
    doc.source.locate = (field, offset) => positions.locate(doc.source.fields[field], pointer, offset);
    docs.push(doc);
  });
  return docs;
}

function header(raw: unknown): TemplateHeader | undefined {
  if (!isObj(raw)) return undefined;
  const h: TemplateHeader = { format: String(raw.format ?? 'TEXT').toUpperCase() };
  const text = str(raw.text);
  if (text !== undefined) h.text = text;
  const ex = raw.example;
  if (isObj(ex)) {
    const values = strings(ex.header_text) ?? strings((ex.header_text_named_params as Obj[] | undefined)?.map((p) => (isObj(p) ? p.example : p)));
    if (values) h.example = values;
    const handle = strings(ex.header_handle)?.[0];
    if (handle !== undefined) h.media = handle;
  } else if (typeof ex === 'string') {
    if (h.format === 'TEXT') h.example = [ex];
    else h.media = ex;
  }
  return h;
}

function buttons(raw: unknown, base: string, fields: Record<string, string>): TemplateButton[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((b: unknown, i) => {
    const o = isObj(b) ? b : {};
    const button: TemplateButton = { type: String(o.type ?? '').toUpperCase(), text: str(o.text) ?? '' };
    for (const key of ['url', 'phone_number'] as const) {
      const v = str(o[key]);
      if (v !== undefined) button[key] = v;
      fields[`buttons[${i}].${key}`] = `${base}/${i}/${key}`;
    }
    const ex = typeof o.example === 'string' ? [o.example] : strings(o.example);
    if (ex) {
      button.example = ex;
      ex.forEach((_, j) => (fields[`buttons[${i}].example[${j}]`] = typeof o.example === 'string' ? `${base}/${i}/example` : `${base}/${i}/example/${j}`));
    }
    fields[`buttons[${i}].text`] = `${base}/${i}/text`;
    return button;
  });
}

/** A template object (already parsed) in any accepted shape; undefined when it is none of them. */
export function toTemplateDoc(raw: unknown, where: { file?: string; pointer?: string; index?: number } = {}): TemplateDoc | undefined {
  if (!isObj(raw)) return undefined;
  const p = where.pointer ?? '';
  const fields: Record<string, string> = { name: `${p}/name`, language: `${p}/language`, category: `${p}/category` };
  const source = (format: SourceFormat): TemplateSource => ({
    ...(where.file !== undefined ? { file: where.file } : {}),
    pointer: p,
    index: where.index ?? 0,
    format,
    fields,
  });
  const common = {
    name: str(raw.name) ?? '',
    ...(str(raw.language) !== undefined ? { language: str(raw.language)! } : isObj(raw.language) && str(raw.language.code) ? { language: str(raw.language.code)! } : {}),
    ...(str(raw.category) !== undefined ? { category: str(raw.category)! } : {}),
    ...(str(raw.status) !== undefined ? { status: str(raw.status)! } : {}),
    ...(raw.id !== undefined && raw.id !== null ? { id: String(raw.id) } : {}),
  };
  if (isObj(raw.language)) fields.language = `${p}/language/code`;

  if (Array.isArray(raw.components)) {
    const comps = raw.components as unknown[];
    const typeOf = (c: unknown) => (isObj(c) ? String(c.type ?? '').toUpperCase() : '');
    const bodies = comps.map((c, i) => [c, i] as const).filter(([c]) => typeOf(c) === 'BODY');
    const at = (type: string) => comps.findIndex((c) => typeOf(c) === type);
    const named = String(raw.parameter_format ?? '').toUpperCase() === 'NAMED';
    const doc: TemplateDoc = { ...common, body: '', bodyCount: bodies.length, buttons: [], placeholderStyle: named ? 'named' : 'positional', source: source('meta') };
    if (bodies.length > 0) {
      const [b, i] = bodies[0]! as [Obj, number];
      doc.body = str(b.text) ?? '';
      fields.body = `${p}/components/${i}/text`;
      const ex = b.example;
      if (isObj(ex) && Array.isArray(ex.body_text_named_params)) {
        const params = ex.body_text_named_params.filter(isObj);
        doc.examples = params.map((x) => String(x.example ?? ''));
        doc.exampleKeys = params.map((x) => String(x.param_name ?? ''));
        doc.examples.forEach((_, j) => (fields[`examples[${j}]`] = `${p}/components/${i}/example/body_text_named_params/${j}/example`));
      } else if (isObj(ex) && Array.isArray(ex.body_text)) {
        const row = Array.isArray(ex.body_text[0]) ? (ex.body_text[0] as unknown[]) : ex.body_text;
        const nested = Array.isArray(ex.body_text[0]);
        doc.examples = strings(row) ?? [];
        doc.examples.forEach((_, j) => (fields[`examples[${j}]`] = `${p}/components/${i}/example/body_text/${nested ? '0/' : ''}${j}`));
      } else if (typeof ex === 'string') doc.exampleText = ex;
    }
    const h = at('HEADER');
    if (h >= 0) {
      const hd = header(comps[h]);
      if (hd) doc.header = hd;
      fields.header = `${p}/components/${h}/text`;
      hd?.example?.forEach((_, j) => (fields[`header.example[${j}]`] = `${p}/components/${h}/example/header_text/${j}`));
    }
    const f = at('FOOTER');
    if (f >= 0) {
      doc.footer = str((comps[f] as Obj).text) ?? '';
      fields.footer = `${p}/components/${f}/text`;
    }
    const bt = at('BUTTONS');
    if (bt >= 0) {
      doc.buttons = buttons((comps[bt] as Obj).buttons, `${p}/components/${bt}/buttons`, fields);
      fields.buttons = `${p}/components/${bt}`;
    }
    return doc;
  }

  if (typeof raw.content === 'string' && !('body' in raw)) {
    fields.body = `${p}/content`;
    return { ...common, body: raw.content, bodyCount: 1, buttons: [], placeholderStyle: 'named', source: source('konekwa') };
  }

  if ('body' in raw && (typeof raw.body === 'string' || raw.body === null)) {
    const doc: TemplateDoc = {
      ...common,
      body: str(raw.body) ?? '',
      bodyCount: typeof raw.body === 'string' ? 1 : 0,
      buttons: buttons(raw.buttons, `${p}/buttons`, fields),
      placeholderStyle: 'positional',
      source: source('qontak'),
    };
    fields.body = `${p}/body`;
    const hd = header(raw.header);
    if (hd) {
      doc.header = hd;
      fields.header = `${p}/header/text`;
      if (hd.example) fields['header.example[0]'] = `${p}/header/example`;
    }
    // The API gives the footer as a string or as {text}.
    const footer = str(raw.footer) ?? (isObj(raw.footer) ? str(raw.footer.text) : undefined);
    if (footer !== undefined) {
      doc.footer = footer;
      fields.footer = typeof raw.footer === 'string' ? `${p}/footer` : `${p}/footer/text`;
    }
    if (Array.isArray(raw.buttons)) fields.buttons = `${p}/buttons`;
    return doc;
  }
  return undefined;
}

/** A template from an account listing (wa-cli's RemoteTemplate or the provider's object): no file positions. */
export function fromRemoteTemplate(
  t: { id?: string; name: string; language?: string; category?: string; status?: string; body: string; header?: { format: string; text?: string; example?: unknown } | null; footer?: string | null; buttons?: { type: string; text: string; url?: string; phone_number?: string }[] },
  provider: 'qontak' | 'konekwa',
): TemplateDoc {
  const raw = provider === 'konekwa' ? { id: t.id, name: t.name, content: t.body } : { ...t, header: t.header ?? null, footer: t.footer ?? null };
  return toTemplateDoc(raw)!;
}

export { pointerToken };
