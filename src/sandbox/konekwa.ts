// The Konekwa gateway: sessions, templates with named placeholders, and single messages (202 QUEUED, then SENT).
import { jsonBody, kError, route, type Reply, type Route } from './http-kit.js';
import type { KonekwaMessage, SandboxState } from './state.js';

export interface KonekwaOptions {
  state: SandboxState;
  now: () => number;
  speed: number;
  /** Sends accepted per second before 429 (a token bucket with this burst). */
  ratePerSecond: number;
  burst: number;
}

const namedKeys = (content: string): string[] => [...new Set([...content.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];
const iso = (ms: number) => new Date(ms).toISOString();

export function konekwaRoutes(o: KonekwaOptions): Route[] {
  const s = o.state;
  let tokens = o.burst;
  let refilledAt = o.now();
  const takeToken = (): number | undefined => {
    const now = o.now();
    tokens = Math.min(o.burst, tokens + ((now - refilledAt) / 1000) * o.ratePerSecond);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return undefined;
    }
    return Math.ceil(((1 - tokens) / o.ratePerSecond) * 1000);
  };
  const messageJson = (m: KonekwaMessage) => {
    const sentAt = m.queuedAtMs + 300 / o.speed;
    const sent = o.now() >= sentAt;
    return {
      message_id: m.message_id,
      session_id: m.session_id,
      recipient: m.recipient,
      message_type: m.message_type,
      ...(m.content !== undefined ? { content: m.content } : {}),
      ...(m.template_id ? { template_id: m.template_id, placeholder_values: m.placeholder_values } : {}),
      status: sent ? 'SENT' : 'QUEUED',
      direction: 'sent',
      queued_at: iso(m.queuedAtMs),
      sent_at: sent ? iso(sentAt) : null,
    };
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
      const b = jsonBody(req) as { name?: unknown; content?: unknown; message_type?: unknown } | undefined;
      if (!b || typeof b.name !== 'string' || !b.name || typeof b.content !== 'string' || !b.content) {
        return kError(400, 'INVALID_REQUEST', 'name and content are required');
      }
      if (s.konekwa.templates.some((t) => t.name === b.name)) return kError(400, 'INVALID_REQUEST', `Template ${b.name} already exists`);
      const t = { id: `tpl_${s.newId().slice(0, 8)}`, name: b.name, content: b.content, message_type: typeof b.message_type === 'string' ? b.message_type : 'text', created_at: iso(o.now()) };
      s.konekwa.templates.push(t);
      return { status: 201, body: t };
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
      if (missing.length) return kError(400, 'INVALID_REQUEST', `Missing required field(s): ${missing.join(', ')}`);
      const ses = s.konekwa.sessions.find((x) => x.id === b.session_id);
      if (!ses) return kError(404, 'NOT_FOUND', `Session ${String(b.session_id)} not found`);
      if (ses.status !== 'CONNECTED') return kError(400, 'SESSION_NOT_CONNECTED', `Session ${ses.id} is ${ses.status}`);
      if (!/^\d{8,15}$/.test(String(b.recipient)) && !String(b.recipient).endsWith('@g.us')) return kError(400, 'INVALID_REQUEST', 'recipient must be digits with country code');
      let placeholders: Record<string, string> | undefined;
      if (b.template_id !== undefined) {
        const t = s.konekwa.templates.find((x) => x.id === b.template_id);
        if (!t) return kError(404, 'NOT_FOUND', `Template ${String(b.template_id)} not found`);
        placeholders = (b.placeholder_values ?? {}) as Record<string, string>;
        const absent = namedKeys(t.content).filter((k) => typeof placeholders![k] !== 'string');
        if (absent.length) return kError(400, 'INVALID_REQUEST', 'Missing placeholder values', absent.join(', '));
      } else if (b.message_type === 'text' && typeof b.content !== 'string') {
        return kError(400, 'INVALID_REQUEST', 'content is required for text messages');
      }
      const m: KonekwaMessage = {
        message_id: `msg_${s.newId().replace(/-/g, '').slice(0, 16)}`,
        session_id: ses.id,
        recipient: String(b.recipient),
        message_type: String(b.message_type),
        ...(typeof b.content === 'string' ? { content: b.content } : {}),
        ...(b.template_id !== undefined ? { template_id: String(b.template_id), placeholder_values: placeholders! } : {}),
        queuedAtMs: o.now(),
        direction: 'sent',
      };
      s.konekwa.messages.set(m.message_id, m);
      s.konekwa.order.push(m.message_id);
      s.sendsByRecipient.set(m.recipient, (s.sendsByRecipient.get(m.recipient) ?? 0) + 1);
      return { status: 202, body: { message_id: m.message_id, status: 'QUEUED', queued_at: iso(m.queuedAtMs) } };
    }),
    route('GET', '/v1/messages/:id', (req) => {
      const m = s.konekwa.messages.get(req.params.id!);
      return m ? { status: 200, body: messageJson(m) } : kError(404, 'NOT_FOUND', `Message ${req.params.id} not found`);
    }),
    route('GET', '/v1/messages', (req) => {
      const q = req.query;
      const since = q.get('start_date') ? Date.parse(q.get('start_date')!) : undefined;
      const until = q.get('end_date') ? Date.parse(q.get('end_date')!) : undefined;
      const session = q.get('session_id');
      const direction = q.get('direction');
      if (direction && direction !== 'sent' && direction !== 'received') return kError(400, 'INVALID_REQUEST', 'direction must be sent or received');
      const size = Math.max(1, Math.min(100, Number(q.get('page_size')) || 20));
      const start = q.get('page_token') ? Number(Buffer.from(q.get('page_token')!, 'base64url').toString()) || 0 : 0;
      const ids = s.konekwa.order.filter((id) => {
        const m = s.konekwa.messages.get(id)!;
        if (direction === 'received') return false;
        if (session && m.session_id !== session) return false;
        if (since !== undefined && m.queuedAtMs < since) return false;
        if (until !== undefined && m.queuedAtMs > until) return false;
        return true;
      });
      const page = ids.slice(start, start + size).map((id) => messageJson(s.konekwa.messages.get(id)!));
      const next = start + size < ids.length ? Buffer.from(String(start + size)).toString('base64url') : null;
      return { status: 200, body: { messages: page, next_page_token: next, total_count: ids.length } };
    }),
  ];
}
