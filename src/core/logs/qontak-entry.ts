// Qontak's delivery-log entry (GET /broadcasts/{id}/whatsapp/log) in the shared LogEntry shape.
// Only the documented fields are certain; everything read from messages_response is optional, because that object is
// whatever WhatsApp answered (an error envelope for a failed send, a send result or webhook-style statuses otherwise).
import type { LogEntry, LogStatus } from './entry.js';

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** "n/a" is Qontak's word for none; empty and whitespace-only strings carry nothing either. */
function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' || t.toLowerCase() === 'n/a' ? undefined : t;
}

/** WhatsApp sends Unix seconds (often as a string); accept milliseconds and ISO strings too. */
function isoTime(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  let ms: number;
  if (Number.isFinite(n)) ms = n > 1e12 ? n : n * 1000;
  else if (typeof v === 'string') ms = Date.parse(v);
  else return undefined;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return new Date(ms).toISOString();
}

// Statuses seen from Qontak and from WhatsApp itself; anything unknown is treated as still pending, so a later
// pass can move it on instead of reporting a failure that may not be one.
const STATUS_WORDS: Record<string, LogStatus> = {
  pending: 'pending',
  queued: 'pending',
  processing: 'pending',
  accepted: 'pending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
  error: 'failed',
  undelivered: 'failed',
  rejected: 'failed',
};

export function qontakStatus(v: unknown): LogStatus {
  return (typeof v === 'string' && STATUS_WORDS[v.trim().toLowerCase()]) || 'pending';
}

/** messages_response may arrive as an object or as its JSON text. */
function responseObject(v: unknown): Obj | undefined {
  if (typeof v === 'string') {
    try {
      return asObj(JSON.parse(v));
    } catch {
      return undefined;
    }
  }
  return asObj(v);
}

/** The first readable reason in a WhatsApp `errors` array: details, then message, then title. */
function firstError(errors: unknown): string | undefined {
  for (const e of asArr(errors)) {
    const o = asObj(e);
    if (!o) continue;
    const reason = text(asObj(o.error_data)?.details) ?? text(o.details) ?? text(o.message) ?? text(o.title);
    if (reason) return reason;
  }
  return undefined;
}

export function fromQontakLogEntry(raw: unknown): LogEntry {
  const r = asObj(raw) ?? {};
  const response = responseObject(r.messages_response);
  const statuses = asArr(response?.statuses).map(asObj).filter((s): s is Obj => s !== undefined);
  // The earliest timestamp reported for a status wins: a repeated webhook must not move the time later.
  const at = (word: string): string | undefined => {
    let best: string | undefined;
    for (const s of statuses) {
      if (typeof s.status !== 'string' || s.status.toLowerCase() !== word) continue;
      const t = isoTime(s.timestamp);
      if (t && (best === undefined || t < best)) best = t;
    }
    return best;
  };

  const phone = text(r.contact_phone_number) ?? '';
  const status = qontakStatus(r.status);
  const e: LogEntry = {
    // Without an id the entry could not be followed; the phone is unique within one broadcast.
    id: text(r.id) ?? `phone:${phone}`,
    phone,
    status,
  };
  const name = text(r.contact_full_name);
  if (name !== undefined) e.name = name;

  const error =
    text(r.whatsapp_error_message) ??
    (status === 'failed' ? (firstError(response?.errors) ?? statuses.map((s) => firstError(s.errors)).find((x) => x !== undefined)) : undefined);
  if (error !== undefined) e.error = error;

  const firstMessage = asObj(asArr(response?.messages)[0]);
  const wa = text(r.whatsapp_message_id) ?? text(firstMessage?.id) ?? text(statuses[0]?.id);
  if (wa !== undefined) e.waMessageId = wa;

  const created = isoTime(r.created_at);
  if (created !== undefined) e.createdAt = created;
  const sent = at('sent') ?? isoTime(r.sent_at);
  if (sent !== undefined) e.sentAt = sent;
  const delivered = at('delivered') ?? isoTime(r.delivered_at);
  if (delivered !== undefined) e.deliveredAt = delivered;
  const read = at('read') ?? isoTime(r.read_at);
  if (read !== undefined) e.readAt = read;
  return e;
}
