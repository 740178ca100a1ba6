import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { pageThrough } from '../paging.js';
import type {
  AuthCheck,
  Channel,
  DeliveryStatus,
  MessageSend,
  MessagesPort,
  Provider,
  RemoteTemplate,
  SendOutcome,
  SentMessage,
  TemplateCreate,
  TemplateQuery,
} from '../port.js';

interface KonekwaSession {
  id: string;
  name?: string;
  status?: string;
  phone_number?: string;
}
interface KonekwaTemplate {
  id: string;
  name: string;
  content: string;
  message_type?: string;
  created_at?: string;
}
/** A message as the documented GET /v1/messages and GET /v1/messages/:id show it; nothing else is read. */
interface KonekwaMessage {
  id?: string;
  session_id?: string;
  recipient?: string;
  content?: string;
  status?: string;
  created_at?: string;
  sent_at?: string;
}
/** The documented 202 answer to POST /v1/messages. */
interface KonekwaQueued {
  message_id?: string;
  status?: string;
  queued_at?: string;
}

function toTemplate(t: KonekwaTemplate): RemoteTemplate {
  return {
    id: t.id,
    name: t.name,
    language: '',
    category: t.message_type ?? 'text',
    // Konekwa's templates are the tenant's own texts: nothing to approve.
    status: 'APPROVED',
    body: t.content,
    header: null,
    footer: null,
    buttons: [],
    qualityRating: null,
    raw: t,
  };
}

/** Konekwa's message statuses in the shared vocabulary. */
export function fromKonekwaStatus(s: string | undefined): DeliveryStatus {
  switch ((s ?? '').toUpperCase()) {
    case 'SENT':
      return 'sent';
    case 'DELIVERED':
      return 'delivered';
    case 'READ':
      return 'read';
    case 'FAILED':
    case 'ERROR':
      return 'failed';
    default:
      return 'pending';
  }
}

function toMessage(m: KonekwaMessage): SentMessage {
  return {
    id: m.id ?? '',
    sessionId: m.session_id ?? '',
    recipient: m.recipient ?? '',
    status: m.status ?? 'UNKNOWN',
    delivery: fromKonekwaStatus(m.status),
    content: m.content,
    createdAt: m.created_at,
    sentAt: m.sent_at,
  };
}

/**
 * Whether a 400 is about the recipient alone (an invalid number), so only that recipient fails. The docs name no
 * error code for it, so this reads the documented `details` ("Field 'recipient' …") and the message; anything else
 * (a disconnected session, a bad template, an unknown field) would refuse every later send too and stops the run.
 */
function aboutRecipient(err: ApiError): boolean {
  const text = err.details.messages.join(' ').toLowerCase();
  return /recipient|phone|number|jid/.test(text) && !/session|template|api key/.test(text);
}

export class KonekwaProvider implements Provider {
  readonly name = 'konekwa' as const;
  readonly method = 'api-key' as const;
  // No contact lists, server-side broadcasts or media host: a Konekwa broadcast is wa-cli's own fan-out of messages.
  readonly messages: KonekwaMessages;
  constructor(readonly http: HttpClient) {
    this.messages = new KonekwaMessages(http);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async checkAuth(): Promise<AuthCheck> {
    const sessions = await this.listChannels();
    const connected = sessions.filter((s) => s.canSend).length;
    return { ok: true, detail: `${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${connected} connected`, ...(this.http.serverDate ? { serverDate: this.http.serverDate } : {}) };
  }

  /** Konekwa's sessions are its channels: one connected WhatsApp number each. */
  async listChannels(): Promise<Channel[]> {
    const { body } = await this.http.request<{ sessions?: KonekwaSession[] }>({ method: 'GET', path: '/v1/sessions' });
    return (body?.sessions ?? []).map((s) => ({
      id: s.id,
      name: s.name ?? s.id,
      phone: s.phone_number,
      status: s.status ?? 'UNKNOWN',
      canSend: s.status === 'CONNECTED',
    }));
  }

  // ---- templates

  async *listTemplates(q: TemplateQuery): AsyncIterable<RemoteTemplate> {
    const { body } = await this.http.request<{ templates?: KonekwaTemplate[] } | KonekwaTemplate[]>({ method: 'GET', path: '/v1/templates' });
    const all = Array.isArray(body) ? body : (body?.templates ?? []);
    let n = 0;
    for (const t of all) {
      const mapped = toTemplate(t);
      if (q.query && !mapped.name.toLowerCase().includes(q.query.toLowerCase())) continue;
      if (q.status && mapped.status !== q.status.toUpperCase()) continue;
      if (q.category && mapped.category.toLowerCase() !== q.category.toLowerCase()) continue;
      yield mapped;
      if (q.max !== undefined && ++n >= q.max) return;
    }
  }

  async getTemplate(id: string): Promise<RemoteTemplate> {
    const { body } = await this.http.request<KonekwaTemplate | { template: KonekwaTemplate }>({ method: 'GET', path: `/v1/templates/${encodeURIComponent(id)}` });
    return toTemplate('template' in body ? body.template : body);
  }

  async createTemplate(t: TemplateCreate): Promise<RemoteTemplate> {
    const { body } = await this.http.request<KonekwaTemplate | { template: KonekwaTemplate }>({
      method: 'POST',
      path: '/v1/templates',
      json: { name: t.name, content: t.body, message_type: 'text' },
    });
    return toTemplate('template' in body ? body.template : body);
  }
}

export class KonekwaMessages implements MessagesPort {
  constructor(private readonly http: HttpClient) {}

  /** One send, reported as an outcome rather than thrown: the fan-out engine decides what to retry or stop. */
  async send(m: MessageSend, signal?: AbortSignal): Promise<SendOutcome> {
    try {
      const { body } = await this.http.request<KonekwaQueued>({
        method: 'POST',
        path: '/v1/messages',
        json: {
          session_id: m.sessionId,
          recipient: m.recipient,
          message_type: 'text',
          content: m.content,
          template_id: m.templateId,
          placeholder_values: m.placeholderValues,
        },
        // The engine paces and retries itself; a second attempt here would hide a 429 from it.
        maxAttempts: 1,
        ...(signal ? { signal } : {}),
      });
      if (!body?.message_id) return { kind: 'unknown', error: 'Konekwa answered without a message_id' };
      return { kind: 'sent', messageId: body.message_id };
    } catch (err) {
      if (err instanceof TransportError) {
        if (err.status === 429) return { kind: 'rate-limited', ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
        // A 5xx stops the run: the next sends would meet the same server. A dropped answer is this message's doubt only.
        if (err.status !== undefined && err.status >= 500) return { kind: 'stop', error: err.message, maybeActed: err.maybeActed };
        return err.maybeActed ? { kind: 'unknown', error: err.message } : { kind: 'not-sent', error: err.message };
      }
      if (err instanceof ApiError && err.details.status === 400 && aboutRecipient(err)) return { kind: 'rejected', error: err.message };
      // 400 about anything else, 401/403, 404 of the session or template: every later send would be refused alike.
      if (err instanceof ApiError || err instanceof ApiNotFoundError || err instanceof ApiAuthError) return { kind: 'stop', error: err.message, maybeActed: false };
      throw err;
    }
  }

  /**
   * Every page of GET /v1/messages from `since`, through the one paging helper. The page size is the documented
   * default (20): no maximum is documented. The last page's token is not documented either, so a missing token, a
   * token seen before or an empty page ends it; a short page does not (only the token says whether more follows).
   */
  async *list(q: { sessionId?: string; since?: string; direction?: 'sent' | 'received' }): AsyncIterable<SentMessage> {
    const pages = pageThrough<KonekwaMessage>(
      async (at) => {
        const { body } = await this.http.request<{ messages?: KonekwaMessage[]; next_page_token?: string | null }>({
          method: 'GET',
          path: '/v1/messages',
          query: { session_id: q.sessionId, direction: q.direction ?? 'sent', start_date: q.since, page_token: at.kind === 'cursor' ? at.cursor : undefined },
        });
        return { items: Array.isArray(body?.messages) ? body.messages : [], meta: { cursor: { next: body?.next_page_token } } };
      },
      { pageSize: 20, shortPageEnds: false, idOf: (m) => (typeof m?.id === 'string' && m.id !== '' ? m.id : undefined) },
    );
    for await (const m of pages) yield toMessage(m);
  }
}
