import type { ErrorReading } from '../http.js';

// Qontak answers errors as {"status":"error","error":{"code":422,"messages":[…]}}, the gateway as {"message":"…"}, the
// token endpoint (Doorkeeper, RFC 6749 §5.2) as {"error":"invalid_grant","error_description":"…"};
// messages may be strings or objects (active_model_errors).
export function readQontakError(_status: number, body: unknown): ErrorReading {
  const b = (body ?? {}) as { error?: { messages?: unknown } | string; error_description?: unknown; message?: unknown; __raw?: string };
  const envelope = typeof b.error === 'object' && b.error !== null ? b.error : undefined;
  const oauth = typeof b.error === 'string' ? [typeof b.error_description === 'string' ? `${b.error_description} (${b.error})` : b.error] : undefined;
  const raw = Array.isArray(envelope?.messages) ? envelope.messages : oauth ?? (b.message !== undefined ? [b.message] : []);
  const messages = raw.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
  if (messages.length === 0 && b.__raw) messages.push(b.__raw.replace(/\s+/g, ' ').trim());
  const reading: ErrorReading = { messages };
  const reset = messages.map((m) => /^rate_limit_reset:\s*(\d+)/.exec(m)).find(Boolean);
  if (reset) reading.retryAfterMs = Number(reset[1]) * 1000;
  if (messages.some((m) => /please wait a moment/i.test(m))) reading.retryableRefusal = true;
  if (messages.some((m) => /couldn'?t find/i.test(m))) reading.notFound = true;
  // The rate-limit bookkeeping lines are not news to a person.
  reading.messages = messages.filter((m) => !/^(organization_id|rate_limit_\w+):/.test(m));
  return reading;
}
