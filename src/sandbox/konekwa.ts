// The Konekwa gateway: sessions, templates with named placeholders, and single messages (202 QUEUED, then SENT). The
// queue is asynchronous: a message is listed only some time after its 202 (`konekwaListLagMs`); a message sent with a
// template is stored as the server renders it, in its own placeholder syntax, whatever `content` said.
import { jsonBody, kError, route, type Reply, type Req, type Route } from './http-kit.js';
import type { KonekwaMessage, SandboxState } from './state.js';

export interface KonekwaOptions {
  state: SandboxState;
  now: () => number;
  speed: number;
  /** Sends accepted per second before 429 (a token bucket of `konekwaBurst`), and the listing's lag; read on every request. */
  limits: { konekwaRatePerSecond: number; konekwaBurst: number; konekwaListLagMs: number };
}

/** Konekwa reports a message's status this long after it was queued (divided by speed). */
export const KONEKWA_SEND_DELAY_MS = 300;
const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'location', 'contact'];

// The server's own placeholder syntax: `{{name}}`, exactly as the page writes it. A template may be written with
// spaces inside the braces (`{{ name }}`), which the server stores and sends as written: not its placeholder.
const SERVER_PLACEHOLDER = /\{\{([a-z0-9_]+)\}\}/g;
const namedKeys = (content: string): string[] => [...new Set([...content.matchAll(SERVER_PLACEHOLDER)].map((m) => m[1]!))];
const renderOnServer = (content: string, values: Record<string, string>): string => content.replace(SERVER_PLACEHOLDER, (m, k: string) => (typeof values[k] === 'string' ? values[k] : m));
const iso = (ms: number) => new Date(ms).toISOString();
const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function konekwaRoutes(o: KonekwaOptions): Route[] {
  const s = o.state;
  let tokens = o.limits.konekwaBurst;
  let refilledAt = o.now();
  /** undefined when a token was taken, else the ms until one is available. */
  const takeToken = (): number | undefined => {
    const now = o.now();
    const { konekwaRatePerSecond: rate, konekwaBurst: burst } = o.limits;
    tokens = Math.min(burst, tokens + (Math.max(0, now - refilledAt) / 1000) * rate);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return undefined;
    }
    return Math.ceil(((1 - tokens) / rate) * 1000);
  };
  // Exactly the documented fields (konekwa-api.txt, GET /v1/messages/:id and the listing example): no template id, no
  // placeholder values. Times in whole seconds, as the examples show them. `sent_at` only on a single message.
  const messageJson = (m: KonekwaMessage, single: boolean) => {
    // A received message: the same documented fields; status and direction values are not documented for it, and its
    // `recipient` is the session's own number (the one it was sent to). Its author is in `sender` only when a test
    // asks for that field, which no document shows.
    if (m.direction === 'received') {
      const own = s.konekwa.sessions.find((x) => x.id === m.session_id)?.phone_number ?? m.recipient;
      return {
        id: m.message_id,
        session_id: m.session_id,
        recipient: own,
        ...(s.konekwaListsSender ? { sender: m.recipient } : {}),
        message_type: m.message_type,
        content: m.content ?? '',
        status: 'RECEIVED',
        direction: 'INBOUND',
        created_at: isoSeconds(m.queuedAtMs),
      };
    }
    const sentAt = m.queuedAtMs + KONEKWA_SEND_DELAY_MS / o.speed;
    const sent = o.now() >= sentAt;
    // A status past SENT, when a test asks for one (none is documented).
    const later = s.konekwaStatusAfterSent !== undefined && o.now() >= sentAt + KONEKWA_SEND_DELAY_MS / o.speed;
    return {
      id: m.message_id,
      session_id: m.session_id,
      recipient: m.recipient,
      message_type: m.message_type,
      content: m.content ?? '',
      status: later ? s.konekwaStatusAfterSent : sent ? 'SENT' : 'QUEUED',
      direction: 'OUTBOUND',
      created_at: isoSeconds(m.queuedAtMs),
      ...(single && sent ? { sent_at: isoSeconds(sentAt) } : {}),
    };
  };
  // A sent message is listed once the queue has taken it in, `konekwaListLagMs` after its 202.
  const listedNow = (m: KonekwaMessage): boolean => m.direction === 'received' || o.now() >= m.queuedAtMs + o.limits.konekwaListLagMs;
  type TemplateInput = { name?: unknown; content?: unknown; message_type?: unknown };
  const templateBody = (req: Req): { ok: TemplateInput } | { refused: Reply } => {
    const b = jsonBody(req);
    if (b === undefined || typeof b !== 'object' || b === null || Array.isArray(b)) return { refused: kError(400, 'INVALID_REQUEST', 'The request body must be a JSON object') };
    return { ok: b as TemplateInput };
  };
  const badPlaceholders = (content: string): string | undefined => {
    const all = [...content.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => m[1]!);
    const bad = all.find((k) => !/^\s*[a-z0-9_]+\s*$/.test(k));
    return bad === undefined ? undefined : `Placeholder {{${bad}}} must be lowercase letters, digits or underscores`;
  };

  return [
    route('GET', '/v1/sessions', () => ({ status: 200, body: { sessions: s.konekwa.sessions } })),
    route('GET', '/v1/sessions/:id', (req) => {
      const ses = s.konekwa.sessions.find((x) => x.id === req.params.id);
      return ses ? { status: 200, body: ses } : kError(404, 'NOT_FOUND', `Session ${req.params.id} not found`);
    }),
    route('GET', '/v1/templates', () => ({ status: 200, body: { templates: s.konekwa.templates } })),
    route('GET', '/v1/templates/:id', (req) => {
      const t = s.konekwa.templates.find((x) => x.id === req.params.id);
      return t ? { status: 200, body: t } : kError(404, 'NOT_FOUND', `Template ${req.params.id} not found`);
    }),
    route('POST', '/v1/templates', (req) => {
      const parsed = templateBody(req);
      if ('refused' in parsed) return parsed.refused;
      const b = parsed.ok;
      const missing = (['name', 'content'] as const).filter((f) => typeof b[f] !== 'string' || b[f] === '');
      if (missing.length) return kError(400, 'INVALID_REQUEST', 'The request body is missing required fields', missing.map((f) => `Field '${f}' is required`).join('; '));
      if (typeof b.name !== 'string' || typeof b.content !== 'string') return kError(400, 'INVALID_REQUEST', 'name and content must be strings');
      const bad = badPlaceholders(b.content);
      if (bad) return kError(400, 'INVALID_REQUEST', 'Invalid template content', bad);
      if (s.konekwa.templates.some((t) => t.name === b.name)) return kError(400, 'INVALID_REQUEST', `Template ${b.name} already exists`);
      const t = { id: `tpl_${s.newId().slice(0, 8)}`, name: b.name, content: b.content, message_type: typeof b.message_type === 'string' ? b.message_type : 'text', created_at: iso(o.now()) };
      s.konekwa.templates.push(t);
      return { status: 201, body: t };
    }),
    route('PUT', '/v1/templates/:id', (req) => {
      const t = s.konekwa.templates.find((x) => x.id === req.params.id);
      if (!t) return kError(404, 'NOT_FOUND', `Template ${req.params.id} not found`);
      const parsed = templateBody(req);
      if ('refused' in parsed) return parsed.refused;
      const b = parsed.ok;
      if (b.name !== undefined && (typeof b.name !== 'string' || b.name === '')) return kError(400, 'INVALID_REQUEST', 'name must be a non-empty string');
      if (b.content !== undefined && (typeof b.content !== 'string' || b.content === '')) return kError(400, 'INVALID_REQUEST', 'content must be a non-empty string');
      const bad = typeof b.content === 'string' ? badPlaceholders(b.content) : undefined;
      if (bad) return kError(400, 'INVALID_REQUEST', 'Invalid template content', bad);
      if (typeof b.name === 'string') t.name = b.name;
      if (typeof b.content === 'string') t.content = b.content;
      return { status: 200, body: t };
    }),
    route('DELETE', '/v1/templates/:id', (req) => {
      const i = s.konekwa.templates.findIndex((x) => x.id === req.params.id);
      if (i < 0) return kError(404, 'NOT_FOUND', `Template ${req.params.id} not found`);
      s.konekwa.templates.splice(i, 1);
      return { status: 200, body: { message: 'Template deleted successfully' } };
    }),
    route('POST', '/v1/messages', (req): Reply => {
      const wait = takeToken();
      if (wait !== undefined) {
        s.konekwaRateLimited++;
        return kError(429, 'RATE_LIMIT_EXCEEDED', 'Too many messages; slow down', undefined, { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) });
      }
      const b = jsonBody(req) as Record<string, unknown> | undefined;
      if (!b || typeof b !== 'object') return kError(400, 'INVALID_REQUEST', 'Body must be JSON');
      const missing = ['session_id', 'recipient', 'message_type'].filter((f) => typeof b[f] !== 'string' || b[f] === '');
      if (missing.length) return kError(400, 'INVALID_REQUEST', 'The request body is missing required fields', missing.map((f) => `Field '${f}' is required`).join('; '));
      if (!MESSAGE_TYPES.includes(String(b.message_type))) return kError(400, 'INVALID_REQUEST', 'Invalid message_type', `message_type must be one of ${MESSAGE_TYPES.join(', ')}`);
      const ses = s.konekwa.sessions.find((x) => x.id === b.session_id);
      if (!ses) return kError(404, 'NOT_FOUND', `Session ${String(b.session_id)} not found`);
      // The docs name no code for a session that is not connected: a plain 400, as for any invalid parameter.
      if (ses.status !== 'CONNECTED') return kError(400, 'INVALID_REQUEST', `Session ${ses.id} is not connected`, `status: ${ses.status}`);
      // "content … Required jika message_type = text", template or not.
      if (b.message_type === 'text' && (typeof b.content !== 'string' || b.content === '')) return kError(400, 'INVALID_REQUEST', 'The request body is missing required fields', "Field 'content' is required");
      if (!/^\d{8,15}$/.test(String(b.recipient)) && !String(b.recipient).endsWith('@g.us')) return kError(400, 'INVALID_REQUEST', 'Invalid recipient', "Field 'recipient' must be digits with the country code");
      let placeholders: Record<string, string> | undefined;
      let stored = typeof b.content === 'string' ? b.content : undefined;
      if (b.template_id !== undefined) {
        const t = s.konekwa.templates.find((x) => x.id === b.template_id);
        if (!t) return kError(404, 'NOT_FOUND', `Template ${String(b.template_id)} not found`);
        if (b.placeholder_values !== undefined && (typeof b.placeholder_values !== 'object' || b.placeholder_values === null || Array.isArray(b.placeholder_values))) {
          return kError(400, 'INVALID_REQUEST', 'placeholder_values must be an object');
        }
        placeholders = (b.placeholder_values ?? {}) as Record<string, string>;
        const absent = namedKeys(t.content).filter((k) => typeof placeholders![k] !== 'string');
        if (absent.length) return kError(400, 'INVALID_REQUEST', 'Missing placeholder values', absent.join(', '));
        // Nothing says which text is kept when both are sent: the least convenient, the server's own rendering.
        stored = renderOnServer(t.content, placeholders);
      }
      const m: KonekwaMessage = {
        message_id: `msg_${s.newId().replace(/-/g, '').slice(0, 16)}`,
        session_id: ses.id,
        recipient: String(b.recipient),
        message_type: String(b.message_type),
        ...(stored !== undefined ? { content: stored } : {}),
        ...(b.template_id !== undefined ? { template_id: String(b.template_id), placeholder_values: placeholders! } : {}),
        queuedAtMs: o.now(),
        direction: 'sent',
      };
      s.konekwa.messages.set(m.message_id, m);
      s.konekwa.order.push(m.message_id);
      s.sendsByRecipient.set(m.recipient, (s.sendsByRecipient.get(m.recipient) ?? 0) + 1);
      return { status: 202, body: { message_id: m.message_id, status: 'QUEUED', queued_at: isoSeconds(m.queuedAtMs) } };
    }),
    route('GET', '/v1/messages/:id', (req) => {
      const m = s.konekwa.messages.get(req.params.id!);
      // Still in the queue: not found yet, as it is not listed yet.
      return m && listedNow(m) ? { status: 200, body: messageJson(m, true) } : kError(404, 'NOT_FOUND', `Message ${req.params.id} not found`);
    }),
    route('GET', '/v1/messages', (req) => {
      const q = req.query;
      const since = q.get('start_date') ? Date.parse(q.get('start_date')!) : undefined;
      const until = q.get('end_date') ? Date.parse(q.get('end_date')!) : undefined;
      if (Number.isNaN(since) || Number.isNaN(until)) return kError(400, 'INVALID_REQUEST', 'Invalid date', 'start_date and end_date must be ISO 8601');
      const session = q.get('session_id');
      const type = q.get('type');
      const direction = q.get('direction');
      if (direction && direction !== 'sent' && direction !== 'received') return kError(400, 'INVALID_REQUEST', 'direction must be sent or received');
      const sizeParam = q.get('page_size');
      const size = sizeParam === null ? 20 : Number(sizeParam);
      if (!Number.isInteger(size) || size < 1 || size > 100) return kError(400, 'INVALID_REQUEST', 'Invalid page_size', 'page_size must be an integer from 1 to 100');
      const token = q.get('page_token');
      const start = token ? pageTokenOffset(token) : 0;
      if (start === undefined) return kError(400, 'INVALID_REQUEST', 'Invalid page_token');
      const ids = s.konekwa.order.filter((id) => {
        const m = s.konekwa.messages.get(id)!;
        if (!listedNow(m)) return false;
        // Without a direction filter both directions are listed (undocumented: the less convenient reading).
        if (direction && m.direction !== direction) return false;
        if (session && m.session_id !== session) return false;
        if (type && m.message_type !== type) return false;
        if (since !== undefined && m.queuedAtMs < since) return false;
        if (until !== undefined && m.queuedAtMs > until) return false;
        return true;
      });
      const page = ids.slice(start, start + size).map((id) => messageJson(s.konekwa.messages.get(id)!, false));
      // The last page's token is undocumented: the least convenient plausible answer is a token that leads to an
      // empty page, which hands the same token back.
      const nextOffset = Math.min(start + size, ids.length);
      const next = Buffer.from(JSON.stringify({ page: Math.floor(nextOffset / size) + 1, offset: nextOffset })).toString('base64url');
      return { status: 200, body: { messages: page, next_page_token: next, total_count: ids.length } };
    }),
  ];
}

/** Page tokens are opaque to clients; here they carry the offset of the next page. */
function pageTokenOffset(token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof v.offset === 'number' && Number.isInteger(v.offset) && v.offset >= 0 ? v.offset : undefined;
  } catch {
    return undefined;
  }
}
