// The Qontak Omnichannel API, as strict as the real one where it is strict.
import { counts, entryCreatedAtMs, isDone, logEntry, type SandboxBroadcast } from './delivery.js';
import { BadPageQuery, jsonBody, notFound, ok, okPage, paginate, qError, route, type PageMeta, type Reply, type Req, type Route } from './http-kit.js';
import { parseCsv, parseMultipart } from './multipart.js';
import { ORG_ID, TEMPLATE_CATEGORIES, TEMPLATE_LANGUAGE_CHOICES, TEMPLATE_LANGUAGES, type SandboxTemplate } from './seed.js';
import type { SandboxContactList, SandboxState } from './state.js';

export interface QontakOptions {
  state: SandboxState;
  now: () => number;
  speed: number;
  /** Read on every request, so a test can change them while the sandbox runs. */
  limits: { directPerMinute: number; bulkCooldownMs: number; listProcessingMs: number };
}

const CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'UTILITY'];
/** Rows per upload (Qontak org settings): 20,000 for CSV, 5,000 for Excel files. */
export const ROW_LIMITS = { csv: 20_000, xlsx: 5_000, xls: 5_000 } as const;
const placeholderKeys = (body: string): string[] => [...new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1]!))];
const iso = (ms: number) => new Date(ms).toISOString();
const invalidJson = Symbol.for('invalid-json');

/** A template as Qontak lists it: header {format, example} only (qontak.md; recorded listing), no created_at. */
function templateJson(t: SandboxTemplate) {
  const { created_at: _c, header, ...rest } = t;
  return { ...rest, header: header ? { format: header.format, ...(header.example !== undefined ? { example: header.example } : {}) } : null };
}

export function qontakRoutes(o: QontakOptions): Route[] {
  const s = o.state;
  const listJson = (l: SandboxContactList) => {
    const ready = o.now() >= l.readyAtMs;
    return {
      id: l.id,
      organization_id: ORG_ID,
      source_type: 'spreadsheet',
      source_id: null,
      name: l.name,
      contacts_count: ready ? l.rowsTotal : 0,
      contacts_count_success: ready ? l.contacts.length : 0,
      contacts_count_failed: ready ? l.rowsTotal - l.contacts.length : 0,
      created_at: iso(l.createdAtMs),
      updated_at: iso(ready ? l.readyAtMs : l.createdAtMs),
      contact_variables: l.variables,
      finished_at: ready ? iso(l.readyAtMs) : null,
      error_messages: ready ? l.errorMessages : {},
      progress: ready ? l.outcome : 'processing',
    };
  };
  const broadcastJson = (b: SandboxBroadcast) => ({
    id: b.id,
    name: b.name,
    organization_id: ORG_ID,
    channel_integration_id: b.channelId,
    contact_list_id: b.contactListId,
    contact_id: null,
    target_channel: s.integrations.find((i) => i.id === b.channelId)?.target_channel ?? 'wa',
    send_at: iso(b.startAtMs),
    execute_status: o.now() < b.startAtMs ? 'todo' : isDone(b, o.now(), o.speed) ? 'done' : 'todo',
    execute_type: b.executeType,
    parameters: b.parameters,
    created_at: iso(b.createdAtMs),
    message_status_count: counts(b, o.now(), o.speed),
    contact_extra: {},
    message_template: templateJson(b.template as unknown as SandboxTemplate),
    division_id: null,
    message_broadcast_error: 'n/a',
    contact_list_name: b.contactListName,
    sender_name: 'Sandbox',
    sender_email: 'sandbox@example.invalid',
    channel_account_name: (s.integrations.find((i) => i.id === b.channelId)?.settings as { account_name?: string } | undefined)?.account_name ?? '',
    channel_phone_number: (s.integrations.find((i) => i.id === b.channelId)?.settings as { server_wa_id?: string } | undefined)?.server_wa_id ?? '',
  });
  const channelOk = (id: unknown): Reply | undefined => {
    const ch = s.integrations.find((i) => i.id === id);
    if (!ch || (ch.target_channel !== 'wa' && ch.target_channel !== 'wa_cloud')) return notFound('channel integration', String(id));
    if (!ch.is_active) return qError(422, ['Channel integration is not active']);
    return undefined;
  };

  return [
    route('GET', '/integrations', (req) => {
      const target = req.query.get('target_channel');
      const items = s.integrations.filter((i) => !target || i.target_channel === target);
      return okPage(paginate(items, req.query, 100));
    }),
    route('GET', '/integrations/:id', (req) => {
      const i = s.integrations.find((x) => x.id === req.params.id);
      return i ? ok(i) : notFound('integration', req.params.id!);
    }),

    // ---- templates
    route('GET', '/templates/whatsapp', (req) => {
      const q = req.query.get('query')?.toLowerCase();
      const statuses = [...req.query.getAll('statuses[]'), ...req.query.getAll('status')].map((x) => x.toUpperCase());
      const categories = [...req.query.getAll('category[]'), ...req.query.getAll('category')].map((x) => x.toUpperCase());
      const items = s.templates
        .filter((t) => !q || t.name.toLowerCase().includes(q))
        .filter((t) => statuses.length === 0 || statuses.includes(t.status))
        .filter((t) => categories.length === 0 || categories.includes(t.category))
        .map(templateJson);
      return okPage(paginate(items, req.query, 10));
    }),
    route('GET', '/templates/:id/whatsapp', (req) => {
      const t = s.templates.find((x) => x.id === req.params.id);
      return t ? ok(templateJson(t)) : notFound('message template', req.params.id!);
    }),
    route('POST', '/templates/whatsapp', (req) => createTemplate(o, req)),
    route('GET', '/templates/category', () => ok(TEMPLATE_CATEGORIES)),
    route('GET', '/templates/language', () => ok(TEMPLATE_LANGUAGE_CHOICES)),
    route('GET', '/templates/languages', (req) => okPage(paginate(TEMPLATE_LANGUAGES, req.query, 100))),
    route('POST', '/file_uploader', (req) => fileUpload(o, req)),

    // ---- contact lists
    route('POST', '/contacts/contact_lists/async', (req) => uploadList(o, req)),
    route('GET', '/contacts/contact_lists', (req) => okPage(paginate([...s.contactLists.values()].reverse().map(listJson), req.query, 10))),
    route('GET', '/contacts/contact_lists/contacts/:id', (req) => {
      const l = s.contactLists.get(req.params.id!);
      if (!l) return notFound('contact list', req.params.id!);
      const at = iso(l.readyAtMs);
      const items = (o.now() >= l.readyAtMs ? l.contacts : []).map((c, i) => ({
        id: `${l.id.slice(0, 24)}${i.toString(16).padStart(12, '0')}`,
        phone_number: c.phone,
        full_name: c.name,
        email: '',
        username: '',
        code: '',
        created_at: at,
        updated_at: at,
        authority: 'own',
        channel: 'unknown',
        status: 'success',
        error_messages: {},
        extra: c.extra,
        account_uniq_id: c.phone,
        channel_integration_id: s.integrations[0]!.id,
        avatar: {},
        is_valid: true,
        is_blocked: false,
        contact_handler_id: null,
      }));
      return okPage(paginate(items, req.query, 100));
    }),
    route('GET', '/contacts/contact_lists/:id', (req) => {
      const l = s.contactLists.get(req.params.id!);
      return l ? ok(listJson(l)) : notFound('contact list', req.params.id!);
    }),

    // ---- broadcasts
    route('POST', '/broadcasts/whatsapp', (req) => bulkSend(o, req, channelOk, broadcastJson)),
    route('POST', '/broadcasts/whatsapp/direct', (req) => directSend(o, req, channelOk)),
    route('GET', '/broadcasts/whatsapp', (req) => {
      const q = req.query.get('query')?.toLowerCase();
      const since = dateParam(req.query.get('start_date'), false);
      const until = dateParam(req.query.get('end_date'), true);
      if (Number.isNaN(since) || Number.isNaN(until)) return qError(422, ['start_date or end_date is invalid']);
      const items = [...s.broadcasts.values()]
        .filter((b) => !q || b.name.toLowerCase().includes(q))
        .filter((b) => since === undefined || b.createdAtMs >= since)
        .filter((b) => until === undefined || b.createdAtMs <= until)
        .reverse();
      // A listed broadcast has the recorded listing's fields: no contact_list_name (the detail has it).
      const listed = (b: SandboxBroadcast) => {
        const { contact_list_name: _n, ...rest } = broadcastJson(b);
        return rest;
      };
      return okPage(keysetPage({ length: items.length, at: (i) => listed(items[i]!) }, (i) => items[i]!.createdAtMs, 'desc', req.query, 10, BROADCAST_CURSORS));
    }),
    route('GET', '/broadcasts/:id/whatsapp', (req) => {
      const b = s.broadcasts.get(req.params.id!);
      return b ? ok(broadcastJson(b)) : notFound('messages broadcast', req.params.id!);
    }),
    route('GET', '/broadcasts/:id/whatsapp/log', (req) => {
      const b = s.broadcasts.get(req.params.id!);
      if (!b) return notFound('messages broadcast', req.params.id!);
      const now = o.now();
      return okPage(keysetPage({ length: b.recipients.count, at: (i: number) => logEntry(b, i, now, o.speed) }, (i) => entryCreatedAtMs(b, i), 'asc', req.query, 25, LOG_CURSORS));
    }),
  ];
}

/** A keyset cursor as the recorded contact and log cursors decode: an item's created_at in seconds.millis, base64. */
export const keysetCursor = (ms: number): string => Buffer.from((ms / 1000).toFixed(3)).toString('base64');

/** How a listing writes its cursors and ends: each as its own source shows it. */
export interface CursorStyle {
  /** A cursor for an item's created_at, and back. */
  write: (ms: number) => string | number;
  read: (cursor: string) => number;
  /** The last page's `next`: null (the recorded broadcast listing) or `prev` again (the notes' log example). */
  lastNext: 'null' | 'prev';
}

function base64Ms(cursor: string): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!/^\d{1,12}\.\d{1,3}$/.test(text)) throw new BadPageQuery(`cursor ${cursor} is invalid`);
  return Math.round(Number(text) * 1000);
}

/** The log: base64 keyset cursors, `next == prev` on the last page (notes@34990, the log example). */
export const LOG_CURSORS: CursorStyle = { write: keysetCursor, read: base64Ms, lastNext: 'prev' };
/** Broadcasts: the recorded listing's cursors are plain epoch milliseconds, and its last page's `next` is null. */
export const BROADCAST_CURSORS: CursorStyle = {
  write: (ms) => ms,
  read: (c) => {
    if (!/^\d{1,15}$/.test(c)) throw new BadPageQuery(`cursor ${c} is invalid`);
    return Number(c);
  },
  lastNext: 'null',
};

/**
 * Qontak's keyset paging as the documents show it, not as a client would like it:
 * - `offset` is a 1-based page number, echoed with `target_offset` (the items skipped), as recorded pages show;
 * - cursors are keyset cursors, the created_at of the page's last item (recorded cursors decode to timestamps);
 *   `cursor_direction=after` returns items strictly beyond that timestamp, so items sharing it across a page
 *   boundary are never returned to a client that follows cursors [inferred: the least convenient reading];
 * - the last page's `next` is as `style` says.
 * Items are in listing order; `keyOf(i)` is monotonic in it (ascending or descending).
 */
export function keysetPage<T>(
  items: { length: number; at: (i: number) => T },
  keyOf: (i: number) => number,
  order: 'asc' | 'desc',
  query: URLSearchParams,
  defaultLimit: number,
  style: CursorStyle = LOG_CURSORS,
): { data: T[]; meta: { pagination: PageMeta } } {
  const total = items.length;
  const limit = Math.max(1, Math.min(100, Number(query.get('limit')) || defaultLimit));
  const cursor = query.get('cursor');
  const direction = query.get('cursor_direction') ?? 'after';
  if (direction !== 'after' && direction !== 'before') throw new BadPageQuery('cursor_direction must be after or before');
  const beyond = (i: number, c: number) => (order === 'asc' ? keyOf(i) > c : keyOf(i) < c);
  // First index strictly beyond c in listing order (binary search: keys are monotonic).
  const firstBeyond = (c: number) => {
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (beyond(mid, c)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let start: number;
  let end: number;
  if (cursor) {
    const c = style.read(cursor);
    if (direction === 'after') {
      start = firstBeyond(c);
      end = Math.min(total, start + limit);
    } else {
      // Items strictly before c in listing order: those not beyond c and not equal to it.
      let stop = firstBeyond(c);
      while (stop > 0 && keyOf(stop - 1) === c) stop--;
      end = stop;
      start = Math.max(0, end - limit);
    }
  } else {
    const offset = Math.max(1, Number(query.get('offset')) || 1);
    start = Math.min(total, (offset - 1) * limit);
    end = Math.min(total, start + limit);
  }
  const data: T[] = [];
  for (let i = start; i < end; i++) data.push(items.at(i));
  const prev = end > start ? style.write(keyOf(start)) : null;
  const next = end > start ? (end < total ? style.write(keyOf(end - 1)) : style.lastNext === 'prev' ? prev : null) : null;
  return {
    data,
    meta: { pagination: { cursor: { next, prev, pit: null }, offset: Math.floor(start / limit) + 1, limit, total, target_offset: start } },
  };
}

/** `start_date` / `end_date`: an ISO date or date-time; a bare end date covers its whole day. NaN when unreadable. */
function dateParam(v: string | null, endOfDay: boolean): number | undefined {
  if (!v) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return NaN;
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(v) ? ms + 86_399_999 : ms;
}

function fileUpload(o: QontakOptions, req: Req): Reply {
  const parts = parseMultipart(req.headers['content-type'], req.body);
  if (!parts) return qError(400, ['Request must be multipart/form-data']);
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
  if (!file || file.data.length === 0) return qError(422, ["File can't be blank"]);
  o.state.uploads.push({ name: 'file_uploader', filename: file.filename!, contentType: file.contentType, bytes: Buffer.from(file.data) });
  const safe = file.filename!.replace(/[^A-Za-z0-9._-]/g, '_');
  return ok({ filename: safe, url: `https://cdn.qontak.com/uploads/direct/files/${o.state.newId()}/${safe}` }, 201);
}

/**
 * Template create in both documented shapes: the seed's `{name, language, category, components}` with BODY's
 * `example` a string (notes@27920, "WhatsApp Message Template Creation"), and the official SDK's
 * `{name, category, attributes: [{language, components}]}` with `example.body_text` a flat array (qontak.md,
 * "Evidence from public clients", "Template create"). A BODY example in neither form (Meta's nested `[[…]]`) is
 * refused [inferred: the least convenient reading of a shape no Qontak source shows]. One template per language,
 * answered as the recorded 201 (`data.data[]`).
 */
function createTemplate(o: QontakOptions, req: Req): Reply {
  const body = jsonBody(req) as Record<string, unknown> | typeof invalidJson | undefined;
  if (body === undefined || body === invalidJson || typeof body !== 'object') return qError(422, ['Request body must be JSON']);
  const messages: string[] = [];
  const name = body.name;
  if (typeof name !== 'string' || name === '') messages.push("Name can't be blank");
  else if (!/^[a-z0-9_]+$/.test(name)) messages.push('Name must only contain lowercase letters, numbers and underscores');
  else if (name.length > 512) messages.push('Name is too long (maximum is 512 characters)');
  const sdk = Array.isArray(body.attributes);
  const variants: { language: unknown; components: unknown }[] = sdk
    ? (body.attributes as Record<string, unknown>[]).map((a) => ({ language: a?.language, components: a?.components }))
    : [{ language: body.language, components: body.components }];
  if (sdk && variants.length === 0) messages.push("Attributes can't be blank");
  for (const v of variants) {
    if (typeof v.language !== 'string' || v.language === '') messages.push("Language can't be blank");
    else if (!TEMPLATE_LANGUAGES.some((l) => l.code === v.language)) messages.push(`Language ${v.language} is not supported`);
  }
  if (typeof body.category !== 'string' || !(CATEGORIES.includes(body.category) || TEMPLATE_CATEGORIES.some((c) => c.value === body.category))) {
    messages.push(`Category must be one of ${CATEGORIES.join(', ')}`);
  }
  const made: { language: string; components: Record<string, unknown>[]; text: string }[] = [];
  for (const v of variants) {
    const components = Array.isArray(v.components) ? (v.components as Record<string, unknown>[]) : [];
    const bodies = components.filter((c) => c?.type === 'BODY');
    if (bodies.length !== 1) messages.push('Components must have exactly one BODY');
    const text = typeof bodies[0]?.text === 'string' ? (bodies[0].text as string) : '';
    if (bodies.length === 1 && text === '') messages.push("Body text can't be blank");
    if ([...new Intl.Segmenter().segment(text)].length > 1024) messages.push('Body text is too long (maximum is 1024 characters)');
    const example = bodies[0]?.example;
    const flat = (x: unknown) => Array.isArray(x) && x.every((y) => typeof y === 'string');
    if (example !== undefined && !(sdk ? flat((example as { body_text?: unknown })?.body_text) : typeof example === 'string')) {
      messages.push(sdk ? 'Body example body_text must be a list of texts' : 'Body example must be a text');
    }
    if (typeof name === 'string' && o.state.templates.some((t) => t.name === name && t.language === v.language)) {
      messages.push('Name has already been taken for this language');
    }
    made.push({ language: String(v.language), components, text });
  }
  if (messages.length) return qError(422, [...new Set(messages)]);
  const created = made.map(({ language, components, text }) => {
    const header = components.find((c) => c.type === 'HEADER');
    const footer = components.find((c) => c.type === 'FOOTER');
    const buttons = components.find((c) => c.type === 'BUTTONS');
    const t: SandboxTemplate = {
      id: o.state.newId(),
      organization_id: ORG_ID,
      name: name as string,
      language,
      header: header ? { format: String(header.format ?? 'TEXT'), ...(header.text ? { text: String(header.text) } : {}) } : null,
      body: text,
      footer: footer ? { text: String(footer.text ?? '') } : null,
      buttons: Array.isArray(buttons?.buttons) ? (buttons.buttons as SandboxTemplate['buttons']) : [],
      status: 'PENDING',
      category: body.category as string,
      quality_rating: null,
      quality_rating_text: null,
      created_at: iso(o.now()),
    };
    o.state.templates.push(t);
    return templateJson(t);
  });
  return ok({ status: 'success', data: created }, 201);
}

async function uploadList(o: QontakOptions, req: Req): Promise<Reply> {
  const parts = parseMultipart(req.headers['content-type'], req.body);
  if (!parts) return qError(400, ['Request must be multipart/form-data']);
  const field = (n: string) => parts.find((p) => p.name === n && p.filename === undefined)?.data.toString('utf8');
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
  const messages: string[] = [];
  const name = field('name');
  if (!name) messages.push("Name can't be blank");
  if (field('source_type') !== 'spreadsheet') messages.push('Source type must be spreadsheet');
  if (!file) messages.push("File can't be blank");
  const ext = file?.filename?.toLowerCase().match(/\.(csv|xlsx|xls)$/)?.[1];
  if (file && !ext) messages.push('File must be .csv, .xls or .xlsx');
  if (messages.length) return qError(422, messages);
  o.state.uploads.push({ name: name!, filename: file!.filename!, contentType: file!.contentType, bytes: Buffer.from(file!.data) });

  let rows: string[][];
  if (ext === 'csv') rows = parseCsv(file!.data.toString('utf8'));
  else {
    const XLSX = await import('xlsx');
    try {
      const wb = XLSX.read(file!.data, { type: 'buffer', dense: true });
      const sheet = wb.Sheets[wb.SheetNames[0]!]!;
      rows = (XLSX.utils.sheet_to_json(sheet, { header: 1, raw: false, defval: '' }) as unknown[][]).map((r) => r.map((v) => String(v)));
    } catch {
      return qError(422, ['File could not be read as a spreadsheet']);
    }
  }
  const dataRows = rows.slice(1);
  const limit = ROW_LIMITS[ext as keyof typeof ROW_LIMITS];
  if (dataRows.length > limit) return qError(422, [`Maximum contacts per upload is ${limit.toLocaleString('en-US')} rows for .${ext} files (this file has ${dataRows.length.toLocaleString('en-US')})`]);

  const headers = (rows[0] ?? []).map((h) => h.trim());
  const now = o.now();
  const list: SandboxContactList = {
    id: o.state.newId(),
    name: name!,
    createdAtMs: now,
    readyAtMs: now + o.limits.listProcessingMs / o.speed,
    outcome: 'success',
    contacts: [],
    variables: [],
    errorMessages: {},
    rowsTotal: dataRows.length,
  };
  const badHeader = headers.find((h) => h !== h.toLowerCase() || /\s/.test(h));
  if (badHeader !== undefined || !headers.includes('phone_number') || !headers.includes('full_name')) {
    list.outcome = 'failed';
    list.errorMessages.header = [badHeader !== undefined ? `Header "${badHeader}" must be lowercase without spaces` : 'Headers must include phone_number and full_name'];
  } else {
    const pi = headers.indexOf('phone_number');
    const ni = headers.indexOf('full_name');
    // By header name [inferred: the API notes name variables by header; the importer's rule is undocumented], or as
    // the FAQ's upload guide has it, from column E on (state.qontakUploadLayout).
    const fromE = o.state.qontakUploadLayout === 'column-e';
    list.variables = headers.filter((h, i) => h !== 'phone_number' && h !== 'full_name' && (!fromE || i >= 4));
    dataRows.forEach((r, idx) => {
      const phone = (r[pi] ?? '').trim();
      if (!/^\d{8,15}$/.test(phone)) {
        // Keyed by spreadsheet row [inferred: the notes say only that error_messages is an object].
        (list.errorMessages[String(idx + 2)] ??= []).push('phone_number is invalid');
        return;
      }
      // A number that looks right but the server still drops (not on WhatsApp, say) [inferred wording].
      if (o.state.qontakRejectsNumbers.has(phone)) {
        (list.errorMessages[String(idx + 2)] ??= []).push('phone_number is not registered on WhatsApp');
        return;
      }
      const extra = Object.fromEntries(list.variables.map((v) => [v, r[headers.indexOf(v)] ?? '']));
      list.contacts.push({ phone, name: (r[ni] ?? '').trim(), extra });
    });
  }
  o.state.contactLists.set(list.id, list);
  return ok(
    {
      id: list.id,
      organization_id: ORG_ID,
      source_type: 'spreadsheet',
      source_id: null,
      name: list.name,
      contacts_count: 0,
      contacts_count_success: 0,
      contacts_count_failed: 0,
      created_at: iso(now),
      updated_at: iso(now),
      contact_variables: [],
      finished_at: null,
      error_messages: {},
      progress: 'processing',
    },
    201,
  );
}

function requireFields(body: Record<string, unknown>, fields: string[]): string[] {
  return fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '').map((f) => `${f} can't be blank`);
}

function bodyParams(body: Record<string, unknown>): unknown[] | string {
  const p = body.parameters as { body?: unknown } | undefined;
  if (p === undefined || typeof p !== 'object' || p === null) return 'parameters is invalid';
  if (p.body !== undefined && !Array.isArray(p.body)) return 'parameters.body must be an array';
  return (p.body as unknown[] | undefined) ?? [];
}

type BroadcastJson = (b: SandboxBroadcast) => unknown;

/**
 * A template that is not approved is accepted and every entry then fails, as the recorded log shows (entry error 2001,
 * get_broadcasts_ID_whatsapp_log_200.json); nothing refuses it up front.
 */
function notApproved(t: { name: string; language: string; status: string }, b: { failAll?: string; failAllWith?: { http: string; code: number; title: string; details: string } }): void {
  if (t.status === 'APPROVED') return;
  const details = `The template (${t.name}) does not exist in the specified language (${t.language}) and locale (), or the template has not been approved`;
  b.failAll = details;
  b.failAllWith = { http: '404', code: 2001, title: 'Template name does not exist in the translation', details };
}

/**
 * What the template needs that the parameters lack. Qontak accepts such a send and every entry then fails (the strict
 * behaviour observed: "header: Format mismatch, expected a media parameter").
 */
function missingExtras(t: { header: { format: string } | null; buttons: { type: string; url?: string }[] }, parameters: unknown): string | undefined {
  const p = (parameters ?? {}) as { header?: { format?: unknown; params?: { key?: unknown; value?: unknown }[] }; buttons?: { index?: unknown; value?: unknown }[] };
  const format = t.header?.format;
  if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') {
    const url = Array.isArray(p.header?.params) ? p.header.params.find((x) => x?.key === 'url')?.value : undefined;
    if (p.header?.format !== format || typeof url !== 'string' || url === '') return 'header: Format mismatch, expected a media parameter';
  }
  const buttons = Array.isArray(p.buttons) ? p.buttons : [];
  for (const [i, b] of t.buttons.entries()) {
    if (b.type === 'URL' && /\{\{\s*\w+\s*\}\}/.test(b.url ?? '') && !buttons.some((x) => x?.index === String(i) && typeof x.value === 'string' && x.value !== '')) {
      return `buttons: Format mismatch, expected a url parameter for button ${i}`; // [inferred] wording modelled on the header's
    }
  }
  return undefined;
}

function bulkSend(o: QontakOptions, req: Req, channelOk: (id: unknown) => Reply | undefined, broadcastJson: BroadcastJson): Reply {
  const s = o.state;
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return qError(422, ['Request body must be JSON']);
  const missing = requireFields(body, ['name', 'message_template_id', 'contact_list_id', 'channel_integration_id']);
  if (missing.length) return qError(422, missing);
  const now = o.now();
  if (now - s.lastBulkAtMs < o.limits.bulkCooldownMs / o.speed) return qError(422, ['Please wait a moment to send a new broadcast message.']);
  const t = s.templates.find((x) => x.id === body.message_template_id);
  if (!t) return notFound('message template', String(body.message_template_id));
  const bad = channelOk(body.channel_integration_id);
  if (bad) return bad;
  const l = s.contactLists.get(String(body.contact_list_id));
  if (!l) return notFound('contact list', String(body.contact_list_id));
  if (now < l.readyAtMs || l.outcome !== 'success') return qError(422, ['Contact list is not ready']);
  const params = body.parameters === undefined ? [] : bodyParams(body);
  if (typeof params === 'string') return qError(422, [params]);
  const bulkButtons = (body.parameters as { buttons?: unknown } | undefined)?.buttons;
  if (bulkButtons !== undefined) {
    if (!Array.isArray(bulkButtons)) return qError(422, ['parameters.buttons must be an array']);
    for (const x of bulkButtons as { index?: unknown }[]) if (typeof x?.index !== 'string') return qError(422, ['parameters.buttons.index must be a string']);
  }
  const keys = placeholderKeys(t.body);
  if (params.length !== keys.length) return qError(422, [`Message Template has ${keys.length} variable, please adjust your payload.`]);
  const columns = ['full_name', 'phone_number', ...l.variables];
  const map = new Map<string, string>();
  for (const p of params as { key?: unknown; value?: unknown }[]) {
    if (typeof p?.key !== 'string' || !keys.includes(p.key)) return qError(422, [`Parameter key ${String(p?.key)} is invalid`]);
    if (typeof p.value !== 'string' || !columns.includes(p.value)) return qError(422, [`Parameter value ${String(p?.value)} is not a column of the contact list`]);
    map.set(p.key, p.value);
  }
  let startAtMs = now;
  let executeType: 'immediately' | 'specific' = 'immediately';
  if (body.execute_type !== undefined && body.execute_type !== 'immediately' && body.execute_type !== 'specific') {
    return qError(422, [`execute_type ${String(body.execute_type)} is not supported`]);
  }
  if (body.execute_type === 'specific') {
    const at = typeof body.send_at === 'string' ? Date.parse(body.send_at) : NaN;
    if (Number.isNaN(at)) return qError(422, ['send_at is invalid']);
    // A minute of grace for clock drift; anything older is a mistake, not a schedule.
    if (at < now - 60_000) return qError(422, ['send_at must be in the future']);
    startAtMs = Math.max(now, at);
    executeType = 'specific';
  }
  s.lastBulkAtMs = now;
  const contacts = l.contacts;
  const value = (i: number, col: string) => {
    const c = contacts[i]!;
    return col === 'full_name' ? c.name : col === 'phone_number' ? c.phone : (c.extra[col] ?? '');
  };
  const b: SandboxBroadcast = {
    id: s.newId(),
    name: String(body.name),
    channelId: String(body.channel_integration_id),
    contactListId: l.id,
    contactListName: l.name,
    template: { ...t },
    createdAtMs: now,
    startAtMs,
    executeType,
    parameters: { header: (body.parameters as { header?: unknown } | undefined)?.header ?? {}, body: params, buttons: (body.parameters as { buttons?: unknown } | undefined)?.buttons ?? {} },
    recipients: { count: contacts.length, at: (i) => contacts[i]! },
    render: (i) => t.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (_m, k: string) => value(i, map.get(k) ?? '')),
    bodyParams: (i) => Object.fromEntries([...map].map(([k, col]) => [k, value(i, col)])),
  };
  const lacking = missingExtras(t, body.parameters);
  if (lacking) b.failAll = lacking;
  notApproved(t, b);
  s.broadcasts.set(b.id, b);
  // No recording or document shows this answer: the fields three public clients read (qontak.md, "Evidence from
  // public clients", "Bulk POST answer"), or with `qontakBulkAnswer = 'empty'` a bare {} after the broadcast was made.
  if (s.qontakBulkAnswer === 'empty') return { status: 201, body: {} };
  const full = broadcastJson(b) as Record<string, unknown>;
  return ok({ id: full.id, name: full.name, send_at: full.send_at, created_at: full.created_at, message_status_count: full.message_status_count }, 201);
}

function directSend(o: QontakOptions, req: Req, channelOk: (id: unknown) => Reply | undefined): Reply {
  const s = o.state;
  const now = o.now();
  // A sliding minute, as the documented 60 requests/min.
  s.directTimes = s.directTimes.filter((t) => now - t < 60_000);
  if (s.directTimes.length >= o.limits.directPerMinute) {
    s.directRateLimited++;
    const reset = Math.max(1, Math.ceil((s.directTimes[0]! + 60_000 - now) / 1000));
    return qError(429, ['Too many requests', `organization_id: ${ORG_ID}`, `rate_limit_limit: ${o.limits.directPerMinute}`, 'rate_limit_remaining: 0', `rate_limit_reset: ${reset}`]);
  }
  s.directTimes.push(now);
  const body = jsonBody(req) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return qError(422, ['Request body must be JSON']);
  const missing = requireFields(body, ['to_name', 'to_number', 'message_template_id', 'channel_integration_id', 'language', 'parameters']);
  if (missing.length) return qError(422, missing);
  if (typeof (body.language as { code?: unknown }).code !== 'string') return qError(422, ['language.code is required']);
  if (!/^\d{8,15}$/.test(String(body.to_number))) return qError(422, ['to_number is invalid']);
  const t = s.templates.find((x) => x.id === body.message_template_id);
  if (!t) return notFound('message template', String(body.message_template_id));
  if ((body.language as { code: string }).code !== t.language) return qError(422, [`Message template ${t.name} is not available in ${(body.language as { code: string }).code}`]);
  const bad = channelOk(body.channel_integration_id);
  if (bad) return bad;
  const params = bodyParams(body);
  if (typeof params === 'string') return qError(422, [params]);
  const buttons = (body.parameters as { buttons?: unknown }).buttons;
  if (buttons !== undefined) {
    if (!Array.isArray(buttons)) return qError(422, ['parameters.buttons must be an array']);
    for (const b of buttons as { index?: unknown }[]) if (typeof b?.index !== 'string') return qError(422, ['parameters.buttons.index must be a string']);
  }
  const keys = placeholderKeys(t.body);
  if (params.length !== keys.length) return qError(422, [`Message Template has ${keys.length} variable, please adjust your payload.`]);
  const values = new Map<string, string>();
  for (const p of params as Record<string, unknown>[]) {
    const m = ['key', 'value_text', 'value'].filter((f) => typeof p?.[f] !== 'string');
    if (m.length) return qError(422, m.map((f) => `parameters.body.${f} is required`));
    values.set(String(p.key), String(p.value_text));
  }
  const recipient = { phone: String(body.to_number), name: String(body.to_name) };
  const b: SandboxBroadcast = {
    id: s.newId(),
    name: `direct ${recipient.phone}`,
    channelId: String(body.channel_integration_id),
    contactListId: null,
    contactListName: null,
    template: { ...t },
    createdAtMs: now,
    startAtMs: now,
    executeType: 'immediately',
    parameters: body.parameters,
    recipients: { count: 1, at: () => recipient },
    render: () => t.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (_m, k: string) => values.get(k) ?? ''),
    bodyParams: () => Object.fromEntries(values),
  };
  const lacking = missingExtras(t, body.parameters);
  if (lacking) b.failAll = lacking;
  notApproved(t, b);
  s.broadcasts.set(b.id, b);
  s.directSendsByRecipient.set(recipient.phone, (s.directSendsByRecipient.get(recipient.phone) ?? 0) + 1);
  // qontak.md: "`data.id` is the broadcast id"; nothing else of this answer is documented.
  return ok({ id: b.id }, 201);
}
