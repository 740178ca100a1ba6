import type { AuthMethod } from '../../config/profiles.js';
import { ConflictError, OperationError, UsageError } from '../../errors.js';
import type { HttpClient } from '../http.js';
import type {
  AuthCheck,
  BroadcastSummary,
  BroadcastsPort,
  BulkSend,
  Channel,
  ContactList,
  ContactListsPort,
  DirectSend,
  ListContact,
  LogPage,
  MediaPort,
  Provider,
  RemoteTemplate,
  TemplateCreate,
  TemplateQuery,
  UploadFile,
  UploadedMedia,
} from '../port.js';
import { ApiError, FoundOnAccountError, TransportError } from '../errors.js';
import { postUnlessFound } from '../post-unless-found.js';
import { isWhatsAppIntegration, toChannel, type QontakIntegration } from './channels.js';
import { fromQontakLogEntry, toBroadcast, toContactList, toTemplate, unwrapCreated, type QontakBroadcast, type QontakContactList, type QontakTemplate } from './mapping.js';
import { decodeState, encodeState, nextPosition, pagerStart, pageThrough, positionQuery, type PageMeta, type PagePosition } from '../paging.js';
import type { QueryValue } from '../http.js';

export const QONTAK_PREFIX: Record<'hmac' | 'oauth', string> = {
  hmac: '/qontak/chat/v1',
  oauth: '/api/open/v1',
};


type Envelope<T> = { data: T };

/** How far back a look-up after a doubtful POST reaches: the object was made moments ago; this covers clock skew. */
const LOOKBACK_MS = 15 * 60_000;

/** The BODY component's `example`, as the seed shows it: the body with the example values filled in. */
function filledExample(body: string, values: readonly string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (m, n: string) => values[Number(n) - 1] ?? m);
}

/**
 * The create body in the seed's shape (qontak-omnichannel-api-notes.txt, "WhatsApp Message Template Creation"):
 * `{name, language, category, components}` with BODY's `example` a string. The official SDK types another shape
 * (`attributes: [{language, components}]`, `example.body_text` an array); the seed is Qontak's own document and, where
 * sources disagree, the seeds stand. HEADER, FOOTER and BUTTONS follow Meta's components [inferred: the seed shows BODY only].
 */
export function templateCreateBody(t: TemplateCreate): Record<string, unknown> {
  const components: unknown[] = [];
  if (t.header) components.push({ type: 'HEADER', format: t.header.format, ...(t.header.text ? { text: t.header.text } : {}), ...(t.header.example ? { example: t.header.example } : {}) });
  components.push({ type: 'BODY', text: t.body, ...(t.bodyExamples?.length ? { example: filledExample(t.body, t.bodyExamples) } : {}) });
  if (t.footer) components.push({ type: 'FOOTER', text: t.footer });
  if (t.buttons?.length) components.push({ type: 'BUTTONS', buttons: t.buttons });
  return { name: t.name, language: t.language, category: t.category, components };
}

/** An ISO 8601 time with any offset as the same instant in UTC with Z. */
export function utcInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UsageError(`"${iso}" is not an ISO 8601 time.`);
  return new Date(ms).toISOString();
}
type Listing<T> = { data?: T[]; meta?: { pagination?: PageMeta } };

/**
 * Qontak's recorded cursors are keyset cursors (a boundary item's created_at): following one can skip items that share
 * that timestamp across a page boundary, which for the broadcast listing means a key not found and for a log an entry
 * never seen. Listings are paged by offset; one whose answers give no usable offset is refused rather than read with
 * holes.
 */
function refuseCursorPaging(path: string, at: PagePosition): void {
  if (at.kind !== 'cursor') return;
  throw new OperationError(`Qontak's answer to GET ${path} gave no usable offset to page by, only a keyset cursor, which can skip items that share a timestamp; wa-cli stops rather than read it with gaps.`, {
    hint: 'This is a change in the API: report it, with `--verbose` output, to the wa-cli maintainers.',
  });
}

/** Every item of a Qontak listing once, through the one paging helper. */
function qontakPages<T extends { id?: unknown }>(
  http: HttpClient,
  path: string,
  query: Record<string, QueryValue>,
  opts: { max?: number; pageSize?: number } = {},
): AsyncGenerator<T> {
  return pageThrough<T>(
    async (at, limit) => {
      refuseCursorPaging(path, at);
      const { body } = await http.request<Listing<T>>({ method: 'GET', path, query: { ...query, ...positionQuery(at, limit) } });
      return { items: Array.isArray(body?.data) ? body.data : [], meta: body?.meta?.pagination };
    },
    { pageSize: opts.pageSize ?? 50, ...(opts.max !== undefined ? { max: opts.max } : {}), idOf: (t) => (typeof t?.id === 'string' ? t.id : undefined) },
  );
}

export class QontakProvider implements Provider {
  readonly name = 'qontak' as const;
  readonly lists: QontakContactLists;
  readonly broadcasts: QontakBroadcasts;
  readonly media: QontakMedia;
  // No `messages`: Qontak sends one number through the direct endpoint and documents no message listing.
  constructor(
    readonly http: HttpClient,
    readonly method: AuthMethod,
  ) {
    this.lists = new QontakContactLists(http);
    this.broadcasts = new QontakBroadcasts(http);
    this.media = new QontakMedia(http);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async checkAuth(): Promise<AuthCheck> {
    const channels = await this.listChannels();
    return { ok: true, detail: `${channels.length} WhatsApp channel${channels.length === 1 ? '' : 's'}`, ...(this.http.serverDate ? { serverDate: this.http.serverDate } : {}) };
  }

  async listChannels(): Promise<Channel[]> {
    const out: Channel[] = [];
    // Unfiltered: `target_channel=wa` would leave out wa_cloud channels (three in the recorded integrations), which
    // send templates the same way (the direct-send example uses one).
    for await (const i of qontakPages<QontakIntegration>(this.http, '/integrations', {}, { pageSize: 100 })) {
      if (isWhatsAppIntegration(i)) out.push(toChannel(i));
    }
    return out;
  }

  // ---- templates

  async *listTemplates(q: TemplateQuery): AsyncIterable<RemoteTemplate> {
    const query = { query: q.query, status: q.status, 'category[]': q.category ? [q.category] : undefined };
    for await (const t of qontakPages<QontakTemplate>(this.http, '/templates/whatsapp', query, { ...(q.max ? { max: q.max } : {}), pageSize: 50 })) {
      yield toTemplate(t);
    }
  }

  async getTemplate(id: string): Promise<RemoteTemplate> {
    const { body } = await this.http.request<Envelope<QontakTemplate>>({ method: 'GET', path: `/templates/${encodeURIComponent(id)}/whatsapp` });
    return toTemplate(body.data);
  }

  /**
   * Looks first (a name taken in this language is a conflict, exit 5, nothing submitted), so that after a 429, a 5xx or
   * a lost answer a template found by name and language is the one this POST made, and is not made twice.
   */
  async createTemplate(t: TemplateCreate): Promise<RemoteTemplate> {
    const before = await this.findTemplate(t.name, t.language);
    if (before) {
      throw new ConflictError(`A template named "${t.name}" already exists in ${t.language || 'this language'} (${before.status || 'no status'}, id ${before.id}); nothing was submitted.`, {
        hint: `Pick another name, see it with \`wa-cli templates show ${t.name}\`, or wait for its review with \`wa-cli templates wait ${t.name}${t.language ? ` --language ${t.language}` : ''}\`.`,
      });
    }
    const json = templateCreateBody(t);
    let posts = 0;
    try {
      return await postUnlessFound(
        async (on429) => {
          posts++;
          const { body, status } = await this.http.request({ method: 'POST', path: '/templates/whatsapp', json, on429 });
          const made = unwrapCreated(body).map(toTemplate);
          const mine = made.find((x) => x.name === t.name && (x.language === t.language || x.language === '')) ?? made[0];
          if (!mine) throw new TransportError(`Qontak answered POST /templates/whatsapp with ${status} but without the template.`, true, status);
          return mine;
        },
        () => this.findTemplate(t.name, t.language),
      );
    } catch (err) {
      // A second POST after a doubtful first one is refused as "taken" when the first one acted: that one is ours.
      if (posts > 1 && err instanceof ApiError && /already (?:been )?taken|already exists/i.test(err.message)) {
        const mine = await this.findTemplate(t.name, t.language);
        if (mine) return mine;
      }
      throw err;
    }
  }

  /**
   * The template with exactly this name in this language ('' matches any). The whole listing is read and names are
   * compared here: how the server's `query` matches is not documented, and a miss would make a template twice.
   */
  async findTemplate(name: string, language: string): Promise<RemoteTemplate | undefined> {
    for await (const t of this.listTemplates({})) if (t.name === name && (language === '' || t.language === language)) return t;
    return undefined;
  }

  async templateCategories(): Promise<string[]> {
    const { body } = await this.http.request<{ data?: { value?: unknown }[] }>({ method: 'GET', path: '/templates/category' });
    return (Array.isArray(body?.data) ? body.data : []).map((c) => c?.value).filter((v): v is string => typeof v === 'string' && v !== '');
  }
}

export class QontakContactLists implements ContactListsPort {
  // Organisation settings in Qontak's API: 5,000 rows per Excel upload, 20,000 per CSV.
  readonly rowLimits = { xlsx: 5000, csv: 20000 };
  constructor(private readonly http: HttpClient) {}


  /**
   * After a 429, a 5xx or a lost answer the list is looked up by its name among those created since the upload began;
   * the file goes up again only when none is there, so one upload makes one list.
   */
  async upload(name: string, file: UploadFile): Promise<ContactList> {
    const form = [
      { name: 'name', value: name },
      { name: 'source_type', value: 'spreadsheet' },
      { name: 'file', filename: file.filename, contentType: file.contentType, data: file.data },
    ];
    const since = this.http.clock() - LOOKBACK_MS;
    return postUnlessFound(
      async (on429) => {
        const res = await this.http.request<Envelope<QontakContactList>>({ method: 'POST', path: '/contacts/contact_lists/async', form, on429 });
        const list = toContactList(res.body?.data);
        if (!list.id) throw new TransportError(`Qontak answered POST /contacts/contact_lists/async with ${res.status} but without the list id.`, true, res.status);
        return list;
      },
      () => this.findNamed(name, since),
    );
  }

  /** The newest list with exactly this name created at or after `sinceMs` (names are compared here, not searched). */
  async findNamed(name: string, sinceMs: number): Promise<ContactList | undefined> {
    let best: ContactList | undefined;
    for await (const l of this.list(1000)) {
      const at = l.createdAt ? Date.parse(l.createdAt) : NaN;
      if (l.name !== name || !(at >= sinceMs)) continue;
      if (!best || at > Date.parse(best.createdAt!)) best = l;
    }
    return best;
  }

  async get(id: string): Promise<ContactList> {
    const { body } = await this.http.request<Envelope<QontakContactList>>({ method: 'GET', path: `/contacts/contact_lists/${encodeURIComponent(id)}` });
    return toContactList(body.data);
  }

  async *list(max?: number): AsyncIterable<ContactList> {
    for await (const l of qontakPages<QontakContactList>(this.http, '/contacts/contact_lists', {}, max ? { max } : {})) yield toContactList(l);
  }

  async *contacts(listId: string): AsyncIterable<ListContact> {
    type Raw = { id?: string; phone_number?: string; full_name?: string; extra?: Record<string, unknown> };
    for await (const c of qontakPages<Raw>(this.http, `/contacts/contact_lists/contacts/${encodeURIComponent(listId)}`, {}, { pageSize: 100 })) {
      const variables = Object.fromEntries(Object.entries(c.extra ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
      yield { phone: c.phone_number ?? '', name: c.full_name ?? '', variables };
    }
  }
}

export class QontakBroadcasts implements BroadcastsPort {
  constructor(private readonly http: HttpClient) {}


  /**
   * The answer's id is read when it is there; anything else the send needs is read back with `get` by the caller. A
   * POST that may have acted (a 429, a 5xx, a lost answer, an answer without the id) is looked up with `b.findSent`
   * and reported as found, never sent again; after a "please wait" the account is looked at before each repeat, and a
   * broadcast found there stops the send (FoundOnAccountError).
   */
  async sendBulk(b: BulkSend): Promise<BroadcastSummary> {
    const parameters: Record<string, unknown> = { body: b.body };
    if (b.header) parameters.header = b.header;
    if (b.buttons?.length) parameters.buttons = b.buttons.map((x) => ({ ...x, index: String(x.index) }));
    const json = {
      name: b.name,
      message_template_id: b.templateId,
      contact_list_id: b.contactListId,
      channel_integration_id: b.channelId,
      ...(b.language ? { language: { code: b.language } } : {}),
      parameters,
      // UTC with Z, as recorded send_at values are: an offset the server might misread never leaves the machine.
      // [inferred: no document shows how a schedule is asked for; the caller reads the broadcast back]
      ...(b.sendAt ? { execute_type: 'specific', send_at: utcInstant(b.sendAt) } : {}),
    };
    const find = b.findSent;
    const look = async (): Promise<BroadcastSummary | undefined> => (find ? find().catch(() => undefined) : undefined);
    let found: BroadcastSummary | undefined;
    let answered: { status: number; body: unknown };
    try {
      answered = await this.http.request<unknown>({
        method: 'POST',
        path: '/broadcasts/whatsapp',
        json,
        // A 429 may come from a proxy or after the broadcast was created: look for it before any retry.
        on429: async () => {
          if (!find) return 'unknown';
          try {
            found = await find();
            return found ? 'present' : 'absent';
          } catch {
            return 'unknown';
          }
        },
        beforeRetryAfterPleaseWait: async () => {
          const other = find ? await find() : undefined;
          if (other) {
            throw new FoundOnAccountError(`While Qontak asked to wait, broadcast ${other.id} "${other.name}" with the same key appeared on the account (created ${other.createdAt ?? 'at an unknown time'}): another run sent it.`, other);
          }
        },
      });
    } catch (err) {
      if (found && err instanceof TransportError && err.acted === 'present') return found;
      // A 5xx or a lost answer: the broadcast may exist; found by its key it is reported, never sent again.
      if (err instanceof TransportError && err.maybeActed && err.acted === undefined) {
        const seen = await look();
        if (seen) return seen;
      }
      throw err;
    }
    const sent = toBroadcast((answered.body as { data?: unknown } | null)?.data);
    if (sent.id) return sent;
    const seen = await look();
    if (seen) return seen;
    throw new TransportError(`Qontak answered POST /broadcasts/whatsapp with ${answered.status} but without the broadcast id, and no broadcast with its key is on the account yet.`, true, answered.status);
  }

  async sendDirect(d: DirectSend): Promise<{ id: string; raw: unknown }> {
    const parameters: Record<string, unknown> = {
      body: d.body.map((p) => ({ key: p.key, value_text: p.valueText, value: p.value })),
    };
    if (d.header) parameters.header = d.header;
    if (d.buttons?.length) parameters.buttons = d.buttons.map((b) => ({ ...b, index: String(b.index) }));
    const { body } = await this.http.request<Envelope<{ id: string }>>({
      method: 'POST',
      path: '/broadcasts/whatsapp/direct',
      json: {
        to_name: d.toName,
        to_number: d.toNumber,
        message_template_id: d.templateId,
        channel_integration_id: d.channelId,
        language: { code: d.language },
        parameters,
      },
      // A direct send carries no name to find it by: after a 429 its outcome cannot be known, so it is not retried.
      on429: async () => 'unknown',
    });
    const id = (body as { data?: { id?: unknown } } | null)?.data?.id;
    if (typeof id !== 'string' || id === '') throw new TransportError('Qontak answered POST /broadcasts/whatsapp/direct without the broadcast id; a direct send carries no name to find it by.', true);
    return { id, raw: (body as { data?: unknown }).data };
  }

  async get(id: string): Promise<BroadcastSummary> {
    const { body } = await this.http.request<Envelope<QontakBroadcast>>({ method: 'GET', path: `/broadcasts/${encodeURIComponent(id)}/whatsapp` });
    return toBroadcast(body.data);
  }

  async *list(q: { query?: string; since?: string; max?: number }): AsyncIterable<BroadcastSummary> {
    const query = { query: q.query, start_date: q.since };
    for await (const b of qontakPages<QontakBroadcast>(this.http, '/broadcasts/whatsapp', query, q.max ? { max: q.max } : {})) yield toBroadcast(b);
  }

  async logPage(broadcastId: string, cursor: string | null): Promise<LogPage> {
    // The token handed out carries the pager's state (offset semantics, cursors seen), so the paging rules of
    // providers/paging.ts hold across calls. De-duplication across pages is the log follower's (by entry id).
    const resumed = cursor === null ? undefined : decodeState(cursor);
    if (cursor !== null && !resumed) throw new Error(`not a log page token: ${cursor}`);
    const state = resumed?.state ?? pagerStart(100);
    const at: PagePosition = resumed?.at ?? { kind: 'first' };
    refuseCursorPaging(`/broadcasts/${broadcastId}/whatsapp/log`, at);
    const { body } = await this.http.request<Listing<unknown>>({
      method: 'GET',
      path: `/broadcasts/${encodeURIComponent(broadcastId)}/whatsapp/log`,
      query: positionQuery(at, state.limit),
    });
    const raw = Array.isArray(body?.data) ? body.data : [];
    const next = nextPosition(state, { items: raw, meta: body?.meta?.pagination }, at);
    return { entries: raw.map(fromQontakLogEntry), next: next === null ? null : encodeState(state, next) };
  }
}

export class QontakMedia implements MediaPort {
  constructor(private readonly http: HttpClient) {}

  /** POST /file_uploader: a local file for a media header; the answer's url goes into header.params. */
  async upload(file: UploadFile): Promise<UploadedMedia> {
    const form = [{ name: 'file', filename: file.filename, contentType: file.contentType, data: file.data }];
    // Safe to repeat after a 429, a 5xx or a lost answer: a second stored file sends nothing.
    const res = await this.http.request<Envelope<{ filename?: string; url?: string }>>({ method: 'POST', path: '/file_uploader', form, idempotent: true });
    const url = res.body?.data?.url;
    if (typeof url !== 'string' || url === '') throw new ApiError('Qontak POST /file_uploader answered without a url.', { status: res.status, messages: [], body: res.body });
    return { url, filename: res.body.data.filename ?? file.filename };
  }
}
