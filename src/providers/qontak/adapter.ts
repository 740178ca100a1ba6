import type { AuthMethod } from '../../config/profiles.js';
import { UsageError } from '../../errors.js';
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
import { ApiError, TransportError } from '../errors.js';
import { isWhatsAppIntegration, toChannel, type QontakIntegration } from './channels.js';
import { fromQontakLogEntry, toBroadcast, toContactList, toTemplate, unwrapCreated, type QontakBroadcast, type QontakContactList, type QontakTemplate } from './mapping.js';
import { decodeState, encodeState, nextPosition, pagerStart, pageThrough, positionQuery, type PageMeta, type PagePosition } from '../paging.js';
import type { QueryValue } from '../http.js';

export const QONTAK_PREFIX: Record<'hmac' | 'oauth', string> = {
  hmac: '/qontak/chat/v1',
  oauth: '/api/open/v1',
};


type Envelope<T> = { data: T };

/** An ISO 8601 time with any offset as the same instant in UTC with Z. */
export function utcInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UsageError(`"${iso}" is not an ISO 8601 time.`);
  return new Date(ms).toISOString();
}
type Listing<T> = { data?: T[]; meta?: { pagination?: PageMeta } };

/** Every item of a Qontak listing once, through the one paging helper. */
function qontakPages<T extends { id?: unknown }>(
  http: HttpClient,
  path: string,
  query: Record<string, QueryValue>,
  opts: { max?: number; pageSize?: number } = {},
): AsyncGenerator<T> {
  return pageThrough<T>(
    async (at, limit) => {
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
    return { ok: true, detail: `${channels.length} WhatsApp channel${channels.length === 1 ? '' : 's'}` };
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

  async createTemplate(t: TemplateCreate): Promise<RemoteTemplate> {
    const components: unknown[] = [];
    if (t.header) components.push({ type: 'HEADER', format: t.header.format, ...(t.header.text ? { text: t.header.text } : {}), ...(t.header.example ? { example: t.header.example } : {}) });
    components.push({ type: 'BODY', text: t.body, ...(t.bodyExamples?.length ? { example: { body_text: [t.bodyExamples] } } : {}) });
    if (t.footer) components.push({ type: 'FOOTER', text: t.footer });
    if (t.buttons?.length) components.push({ type: 'BUTTONS', buttons: t.buttons });
    const { body } = await this.http.request({
      method: 'POST',
      path: '/templates/whatsapp',
      json: { name: t.name, language: t.language, category: t.category, components },
    });
    return toTemplate(unwrapCreated(body));
  }
}

export class QontakContactLists implements ContactListsPort {
  // Organisation settings in Qontak's API: 5,000 rows per Excel upload, 20,000 per CSV.
  readonly rowLimits = { xlsx: 5000, csv: 20000 };
  constructor(private readonly http: HttpClient) {}


  async upload(name: string, file: UploadFile): Promise<ContactList> {
    const form = [
      { name: 'name', value: name },
      { name: 'source_type', value: 'spreadsheet' },
      { name: 'file', filename: file.filename, contentType: file.contentType, data: file.data },
    ];
    const res = await this.http.request<Envelope<QontakContactList>>({ method: 'POST', path: '/contacts/contact_lists/async', form });
    return toContactList(res.body.data);
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
      ...(b.sendAt ? { execute_type: 'specific', send_at: utcInstant(b.sendAt) } : {}),
    };
    let found: BroadcastSummary | undefined;
    try {
      const { body } = await this.http.request<Envelope<QontakBroadcast>>({
        method: 'POST',
        path: '/broadcasts/whatsapp',
        json,
        // A 429 may come from a proxy or after the broadcast was created: look for it by name before any retry.
        on429: async () => {
          try {
            found = await this.findBroadcastNamed(b.name, this.http.clock() - 15 * 60_000);
            return found ? 'present' : 'absent';
          } catch {
            return 'unknown';
          }
        },
      });
      return toBroadcast(body.data);
    } catch (err) {
      if (found && err instanceof TransportError && err.acted === 'present') return found;
      throw err;
    }
  }

  /** The newest broadcast with exactly this name created since `sinceMs`, compared locally (no server-side search). */
  async findBroadcastNamed(name: string, sinceMs: number): Promise<BroadcastSummary | undefined> {
    for await (const x of this.list({ since: new Date(sinceMs).toISOString() })) if (x.name === name) return x;
    return undefined;
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
    return { id: body.data.id, raw: body.data };
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
    const res = await this.http.request<Envelope<{ filename?: string; url?: string }>>({ method: 'POST', path: '/file_uploader', form });
    const url = res.body?.data?.url;
    if (typeof url !== 'string' || url === '') throw new ApiError('Qontak POST /file_uploader answered without a url.', { status: res.status, messages: [], body: res.body });
    return { url, filename: res.body.data.filename ?? file.filename };
  }
}
