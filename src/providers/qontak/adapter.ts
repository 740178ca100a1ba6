import type { AuthMethod } from '../../config/profiles.js';
import type { HttpClient } from '../http.js';
import { multipart } from '../multipart.js';
import {
  CapabilityError,
  type AuthCheck,
  type BroadcastSummary,
  type BulkSend,
  type Capabilities,
  type Channel,
  type ContactList,
  type DirectSend,
  type ListContact,
  type LogPage,
  type MessageSend,
  type Provider,
  type RemoteTemplate,
  type SendOutcome,
  type SentMessage,
  type TemplateCreate,
  type TemplateQuery,
  type UploadFile,
} from '../port.js';
import { isWhatsAppIntegration, toChannel, type QontakIntegration } from './channels.js';
import { toBroadcast, toContactList, toTemplate, unwrapCreated, type QontakBroadcast, type QontakContactList, type QontakTemplate } from './mapping.js';
import { decodeState, encodeState, nextPosition, pagerStart, pageThrough, positionQuery, type PageMeta, type PagePosition } from '../paging.js';
import type { QueryValue } from '../http.js';

export const QONTAK_PREFIX: Record<'hmac' | 'oauth', string> = {
  hmac: '/qontak/chat/v1',
  oauth: '/api/open/v1',
};

export const QONTAK_CAPABILITIES: Capabilities = {
  contactLists: true,
  bulkBroadcast: true,
  scheduling: true,
  broadcastLog: true,
  templateCreate: true,
  placeholderStyle: 'positional',
  // Organisation settings in Qontak's API: 5,000 rows per Excel upload, 20,000 per CSV.
  uploadRowLimits: { xlsx: 5000, csv: 20000 },
};

type Envelope<T> = { data: T };
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
  readonly capabilities = QONTAK_CAPABILITIES;
  constructor(
    readonly http: HttpClient,
    readonly method: AuthMethod,
  ) {}

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

  // ---- contact lists

  async uploadContactList(name: string, file: UploadFile): Promise<ContactList> {
    const body = multipart([
      { name: 'name', value: name },
      { name: 'source_type', value: 'spreadsheet' },
      { name: 'file', filename: file.filename, contentType: file.contentType, data: file.data },
    ]);
    const res = await this.http.request<Envelope<QontakContactList>>({ method: 'POST', path: '/contacts/contact_lists/async', body });
    return toContactList(res.body.data);
  }

  async getContactList(id: string): Promise<ContactList> {
    const { body } = await this.http.request<Envelope<QontakContactList>>({ method: 'GET', path: `/contacts/contact_lists/${encodeURIComponent(id)}` });
    return toContactList(body.data);
  }

  async *listContactLists(max?: number): AsyncIterable<ContactList> {
    for await (const l of qontakPages<QontakContactList>(this.http, '/contacts/contact_lists', {}, max ? { max } : {})) yield toContactList(l);
  }

  async *listContacts(listId: string): AsyncIterable<ListContact> {
    type Raw = { id?: string; phone_number?: string; full_name?: string; extra?: Record<string, unknown> };
    for await (const c of qontakPages<Raw>(this.http, `/contacts/contact_lists/contacts/${encodeURIComponent(listId)}`, {}, { pageSize: 100 })) {
      const variables = Object.fromEntries(Object.entries(c.extra ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
      yield { phone: c.phone_number ?? '', name: c.full_name ?? '', variables };
    }
  }

  // ---- broadcasts

  async sendBulk(b: BulkSend): Promise<BroadcastSummary> {
    const json = {
      name: b.name,
      message_template_id: b.templateId,
      contact_list_id: b.contactListId,
      channel_integration_id: b.channelId,
      ...(b.language ? { language: { code: b.language } } : {}),
      parameters: { body: b.body },
      ...(b.sendAt ? { execute_type: 'specific', send_at: b.sendAt } : {}),
    };
    const { body } = await this.http.request<Envelope<QontakBroadcast>>({ method: 'POST', path: '/broadcasts/whatsapp', json });
    return toBroadcast(body.data);
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
    });
    return { id: body.data.id, raw: body.data };
  }

  async getBroadcast(id: string): Promise<BroadcastSummary> {
    const { body } = await this.http.request<Envelope<QontakBroadcast>>({ method: 'GET', path: `/broadcasts/${encodeURIComponent(id)}/whatsapp` });
    return toBroadcast(body.data);
  }

  async *listBroadcasts(q: { query?: string; since?: string; max?: number }): AsyncIterable<BroadcastSummary> {
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
    const entries = Array.isArray(body?.data) ? body.data : [];
    const next = nextPosition(state, { items: entries, meta: body?.meta?.pagination }, at);
    return { entries, next: next === null ? null : encodeState(state, next) };
  }

  // ---- single messages: Qontak sends one message through the direct endpoint; the fan-out is Konekwa's.

  sendMessage(_m: MessageSend): Promise<SendOutcome> {
    return Promise.reject(new CapabilityError('qontak', 'per-message fan-out', 'Qontak sends lists in bulk: use --list or --file.'));
  }
  getMessage(_id: string): Promise<SentMessage> {
    return Promise.reject(new CapabilityError('qontak', 'message lookup by id', 'Use `wa-cli logs tail <broadcast-id>`.'));
  }
  listMessages(): Promise<{ messages: SentMessage[]; next: string | null }> {
    return Promise.reject(new CapabilityError('qontak', 'message listing', 'Use `wa-cli logs tail <broadcast-id>`.'));
  }
}

