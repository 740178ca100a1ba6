import { ApiAuthError, ApiError, ApiNotFoundError, TransportError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { pageThrough } from '../paging.js';
import { ConflictError, OperationError } from '../../errors.js';
import { postUnlessFound } from '../post-unless-found.js';
import type {
  AuthCheck,
  Channel,
  DeliveryStatus,
  MessageQuery,
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
/**
 * A message as the documented GET /v1/messages and GET /v1/messages/:id show it; nothing else is read, and nothing is
 * taken for its type until checked. `sender` is not documented: a received message's author is read from it where an
 * answer carries it, and from nowhere else (on a received message `recipient` may well be the session's own number).
 */
interface KonekwaMessage {
  id?: unknown;
  session_id?: unknown;
  recipient?: unknown;
  content?: unknown;
  status?: unknown;
  created_at?: unknown;
  sent_at?: unknown;
  sender?: unknown;
}
/** The documented 202 answer to POST /v1/messages. */
interface KonekwaQueued {
  message_id?: unknown;
  status?: unknown;
  queued_at?: unknown;
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

/**
 * Konekwa's message statuses in the shared vocabulary. Only QUEUED and SENT are documented (konekwa-api.txt: the 202
 * answer and GET /v1/messages/:id); anything else is undefined, shown as it came and counted as unknown.
 */
export function fromKonekwaStatus(s: string | undefined): DeliveryStatus | undefined {
  switch (s) {
    case 'QUEUED':
      return 'pending';
    case 'SENT':
      return 'sent';
    default:
      return undefined;
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toMessage(m: KonekwaMessage): SentMessage {
  const status = text(m.status);
  return {
    id: text(m.id) ?? '',
    sessionId: text(m.session_id) ?? '',
    recipient: text(m.recipient) ?? '',
    status: status ?? 'UNKNOWN',
    delivery: fromKonekwaStatus(status),
    content: text(m.content),
    createdAt: text(m.created_at),
    sentAt: text(m.sent_at),
    ...(text(m.sender) !== undefined ? { sender: text(m.sender) } : {}),
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
    // No listing shape is documented: an array or {templates: […]} is read, anything else refused. Read as an empty
    // list, it would have a create look for its name, miss it, and post a second template after a doubtful answer.
    const all = Array.isArray(body) ? body : Array.isArray(body?.templates) ? body.templates : undefined;
    if (!all) {
      const keys = body && typeof body === 'object' ? Object.keys(body).slice(0, 10).join(', ') : typeof body;
      throw new TransportError(`Konekwa answered GET /v1/templates with no list wa-cli can read (${keys || 'an empty object'}); it reads an array or {"templates": […]}, as no document shows the listing.`, false);
    }
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

  /**
   * Looks first (a name taken is a conflict, exit 5, nothing submitted), so that after a 429, a 5xx or a lost answer a
   * template found by name is the one this POST made, and is not made twice.
   */
  async createTemplate(t: TemplateCreate): Promise<RemoteTemplate> {
    const before = await this.findTemplate(t.name);
    if (before) {
      throw new ConflictError(`A template named "${t.name}" already exists (id ${before.id}); nothing was submitted.`, {
        hint: `Pick another name, or see it with \`wa-cli templates show ${t.name}\`.`,
      });
    }
    return postUnlessFound(
      async (on429) => {
        const { body, status } = await this.http.request<KonekwaTemplate | { template?: KonekwaTemplate } | undefined>({
          method: 'POST',
          path: '/v1/templates',
          json: { name: t.name, content: t.body, message_type: 'text' },
          on429,
        });
        const made = body && 'template' in body ? body.template : (body as KonekwaTemplate | undefined);
        if (typeof made?.id !== 'string' || typeof made.name !== 'string') throw new TransportError(`Konekwa answered POST /v1/templates with ${status} but without the template.`, true, status);
        return toTemplate(made);
      },
      () => this.findTemplate(t.name),
    );
  }

  /** The template with exactly this name: the whole listing (GET /v1/templates) is read and names compared here. */
  async findTemplate(name: string): Promise<RemoteTemplate | undefined> {
    for await (const x of this.listTemplates({})) if (x.name === name) return x;
    return undefined;
  }
}

/** Pages of one listing pass at most, unless the caller bounds it: a listing whose token never repeats must end. */
const MAX_PAGES = 10_000;

export class KonekwaMessages implements MessagesPort {
  /** What the answers so far say of the server's lead over our clock: at least `low`, less than `high`. */
  private lead: { low: number; high: number } | undefined;
  constructor(private readonly http: HttpClient) {}

  serverClockAhead(): number | undefined {
    return this.lead?.low;
  }

  /**
   * An answer's `Date` (whole seconds, truncated) was written between the request leaving (`sentAt`) and the answer
   * arriving (now): the server's lead is at least Date − now and less than Date + 1 s − sentAt. Each answer narrows
   * the range; one that falls outside it means a clock was set, and the range starts again from that answer.
   */
  private sawDate(headers: Record<string, string | string[] | undefined>, sentAt: number): void {
    const at = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
    if (Number.isNaN(at)) return;
    const low = at - this.http.clock();
    const high = at + 1000 - sentAt;
    const l = this.lead;
    this.lead = !l || high <= l.low || low >= l.high ? { low, high } : { low: Math.max(l.low, low), high: Math.min(l.high, high) };
  }

  /**
   * One send, reported as an outcome rather than thrown: the fan-out engine decides what to retry or stop. The body is
   * the rendered text alone (konekwa-api.txt, POST /v1/messages): no template id or placeholder values, so the listed
   * `content` is the text sent.
   */
  async send(m: MessageSend, signal?: AbortSignal): Promise<SendOutcome> {
    const sentAt = this.http.clock();
    try {
      const { body, headers } = await this.http.request<KonekwaQueued | null>({
        method: 'POST',
        path: '/v1/messages',
        json: { session_id: m.sessionId, recipient: m.recipient, message_type: 'text', content: m.content },
        // The engine paces and retries itself; a second attempt here would hide a 429 from it.
        maxAttempts: 1,
        ...(signal ? { signal } : {}),
      });
      this.sawDate(headers, sentAt);
      const id = body !== null && typeof body === 'object' ? body.message_id : undefined;
      // Accepted, but with no id to follow: the message may be queued; reconciliation decides.
      if (typeof id !== 'string' || id === '') return { kind: 'unknown', error: 'Konekwa accepted the message without a readable message_id', answered: true };
      return { kind: 'sent', messageId: id };
    } catch (err) {
      if (err instanceof TransportError) {
        // Either side may end an exchange; only when wa-cli stopped waiting may the server still be working on it.
        const answered = !err.timedOut && signal?.aborted !== true;
        if (err.status === 429) {
          if (err.maybeActed) return { kind: 'unknown', error: `${err.message} Not Konekwa's own refusal: the message may have been queued.`, answered };
          return { kind: 'rate-limited', ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
        }
        // A 5xx stops the run: the next sends would meet the same server. A gateway timeout (504) may still be working.
        if (err.status !== undefined && err.status >= 500) return { kind: 'stop', error: err.message, maybeActed: err.maybeActed, answered: answered && err.status !== 504 };
        return err.maybeActed ? { kind: 'unknown', error: err.message, answered } : { kind: 'not-sent', error: err.message };
      }
      if (err instanceof ApiError && err.details.status === 400 && aboutRecipient(err)) return { kind: 'rejected', error: err.message };
      // 400 about anything else, 401/403, 404 of the session or template: every later send would be refused alike.
      if (err instanceof ApiError || err instanceof ApiNotFoundError || err instanceof ApiAuthError) return { kind: 'stop', error: err.message, maybeActed: false };
      throw err;
    }
  }

  /**
   * Every page of GET /v1/messages within a time range, through the one paging helper. The page size is the documented
   * default (20): no maximum is documented. The last page's token is not documented either, so a missing token, a
   * token seen before or an empty page ends it; a short page does not (only the token says whether more follows). A
   * listing that needs more than `maxPages` pages is an error, not an end: what was not read proves nothing.
   */
  async *list(q: MessageQuery): AsyncIterable<SentMessage> {
    const cap = q.maxPages ?? MAX_PAGES;
    let pages = 0;
    let read = 0;
    const all = pageThrough<KonekwaMessage>(
      async (at) => {
        if (pages >= cap) {
          throw new OperationError(`Konekwa's message listing${q.sessionId ? ` of session ${q.sessionId}` : ''} went on past ${cap} pages${q.since ? ` since ${q.since}` : ''}; wa-cli stopped reading it there.`);
        }
        pages++;
        const sentAt = this.http.clock();
        const { body, headers } = await this.http.request<{ messages?: unknown; next_page_token?: unknown } | null>({
          method: 'GET',
          path: '/v1/messages',
          query: {
            session_id: q.sessionId,
            direction: q.direction ?? 'sent',
            start_date: q.since,
            end_date: q.until,
            page_token: at.kind === 'cursor' ? at.cursor : undefined,
          },
        });
        this.sawDate(headers, sentAt);
        const items = (body !== null && typeof body === 'object' && Array.isArray(body.messages) ? body.messages : []).filter((m): m is KonekwaMessage => m !== null && typeof m === 'object');
        read += items.length;
        q.onPage?.(pages, read);
        const next = body !== null && typeof body === 'object' && typeof body.next_page_token === 'string' ? body.next_page_token : undefined;
        return { items, meta: { cursor: { next } } };
      },
      { pageSize: 20, shortPageEnds: false, idOf: (m) => (typeof m.id === 'string' && m.id !== '' ? m.id : undefined), maxPages: cap + 1 },
    );
    for await (const m of all) yield toMessage(m);
  }
}
