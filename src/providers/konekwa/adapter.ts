import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from '../errors.js';
import type { HttpClient } from '../http.js';
import {
  CapabilityError,
  type AuthCheck,
  type BroadcastSummary,
  type Capabilities,
  type Channel,
  type ContactList,
  type ListContact,
  type LogPage,
  type MessageSend,
  type Provider,
  type RemoteTemplate,
  type SendOutcome,
  type SentMessage,
  type TemplateCreate,
  type TemplateQuery,
} from '../port.js';

export const KONEKWA_CAPABILITIES: Capabilities = {
  contactLists: false,
  bulkBroadcast: false,
  scheduling: false,
  broadcastLog: false,
  templateCreate: true,
  placeholderStyle: 'named',
};

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
interface KonekwaMessage {
  message_id?: string;
  id?: string;
  recipient?: string;
  status?: string;
  template_id?: string;
  placeholder_values?: Record<string, string>;
  queued_at?: string;
  sent_at?: string;
}

const NO_LISTS = 'Konekwa has no contact lists: send straight from the spreadsheet with `wa-cli broadcast send --file SHEET`.';

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

function toMessage(m: KonekwaMessage): SentMessage {
  return {
    id: m.message_id ?? m.id ?? '',
    recipient: m.recipient ?? '',
    status: m.status ?? 'UNKNOWN',
    templateId: m.template_id,
    placeholderValues: m.placeholder_values,
    queuedAt: m.queued_at,
    sentAt: m.sent_at,
  };
}

export class KonekwaProvider implements Provider {
  readonly name = 'konekwa' as const;
  readonly method = 'api-key' as const;
  readonly capabilities = KONEKWA_CAPABILITIES;
  constructor(readonly http: HttpClient) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async checkAuth(): Promise<AuthCheck> {
    const sessions = await this.listChannels();
    const connected = sessions.filter((s) => s.canSend).length;
    return { ok: true, detail: `${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${connected} connected` };
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

  // ---- what Konekwa does not have

  uploadContactList(): Promise<ContactList> {
    return Promise.reject(new CapabilityError('konekwa', 'contact lists', NO_LISTS));
  }
  getContactList(): Promise<ContactList> {
    return Promise.reject(new CapabilityError('konekwa', 'contact lists', NO_LISTS));
  }
  listContactLists(): AsyncIterable<ContactList> {
    throw new CapabilityError('konekwa', 'contact lists', NO_LISTS);
  }
  listContacts(): AsyncIterable<ListContact> {
    throw new CapabilityError('konekwa', 'contact lists', NO_LISTS);
  }
  sendBulk(): Promise<BroadcastSummary> {
    return Promise.reject(new CapabilityError('konekwa', 'bulk broadcast endpoint', 'wa-cli fans out one message per recipient instead.'));
  }
  sendDirect(): Promise<{ id: string; raw: unknown }> {
    return Promise.reject(new CapabilityError('konekwa', 'direct template endpoint'));
  }
  getBroadcast(): Promise<BroadcastSummary> {
    return Promise.reject(new CapabilityError('konekwa', 'server-side broadcasts', 'Broadcasts through Konekwa live in the local journal.'));
  }
  listBroadcasts(): AsyncIterable<BroadcastSummary> {
    throw new CapabilityError('konekwa', 'server-side broadcasts', 'Broadcasts through Konekwa live in the local journal.');
  }
  logPage(): Promise<LogPage> {
    return Promise.reject(new CapabilityError('konekwa', 'broadcast log', 'Logs of Konekwa sends come from the local journal.'));
  }

  // ---- single messages

  /** One send, reported as an outcome rather than thrown: the fan-out engine decides what to retry. */
  async sendMessage(m: MessageSend): Promise<SendOutcome> {
    try {
      const { body } = await this.http.request<KonekwaMessage>({
        method: 'POST',
        path: '/v1/messages',
        json: {
          session_id: m.sessionId,
          recipient: m.recipient,
          message_type: 'text',
          template_id: m.templateId,
          placeholder_values: m.placeholderValues,
        },
        // The engine paces and retries itself; a second attempt here would hide a 429 from it.
        maxAttempts: 1,
      });
      const id = body?.message_id ?? body?.id;
      if (!id) return { kind: 'unknown', error: 'Konekwa accepted the message but returned no message id' };
      return { kind: 'sent', messageId: id };
    } catch (err) {
      if (err instanceof TransportError) {
        if (err.status === 429) return { kind: 'rate-limited', ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
        return err.maybeActed ? { kind: 'unknown', error: err.message } : { kind: 'not-sent', error: err.message };
      }
      if (err instanceof ApiError || err instanceof ApiNotFoundError) return { kind: 'rejected', error: err.message };
      if (err instanceof ApiAuthError) throw err; // every later send would fail the same way
      throw err;
    }
  }

  async getMessage(id: string): Promise<SentMessage> {
    const { body } = await this.http.request<KonekwaMessage>({ method: 'GET', path: `/v1/messages/${encodeURIComponent(id)}` });
    return toMessage(body);
  }

  async listMessages(q: { sessionId?: string; since?: string; pageToken?: string }): Promise<{ messages: SentMessage[]; next: string | null }> {
    const { body } = await this.http.request<{ messages?: KonekwaMessage[]; next_page_token?: string | null }>({
      method: 'GET',
      path: '/v1/messages',
      query: { session_id: q.sessionId, direction: 'sent', start_date: q.since, page_size: 100, page_token: q.pageToken },
    });
    return { messages: (body?.messages ?? []).map(toMessage), next: body?.next_page_token || null };
  }
}
