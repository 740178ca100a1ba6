// Delivery of a broadcast, computed from the clock instead of stored: each entry's fate (when it is sent, delivered,
// read, or why it fails) follows from a hash of the broadcast id and the entry's index. A 100,000-entry broadcast
// costs nothing until someone reads its log.
import { hashUnit } from './rng.js';
import { ORG_ID } from './seed.js';

export interface Recipient {
  phone: string;
  name: string;
}

export interface SandboxBroadcast {
  id: string;
  name: string;
  channelId: string;
  contactListId: string | null;
  contactListName: string | null;
  template: { id: string; name: string; language: string; body: string } & Record<string, unknown>;
  createdAtMs: number;
  /** Delivery starts here (later than creation when scheduled). */
  startAtMs: number;
  executeType: 'immediately' | 'specific';
  parameters: unknown;
  recipients: { count: number; at(i: number): Recipient };
  /** Body values per recipient, to render the message text in the log. */
  render(i: number): string;
  /** The placeholder values of recipient i ({"1": "Budi"}), as the log's messages.body.parameters shows them. */
  bodyParams?(i: number): Record<string, string>;
  /**
   * Every entry fails with this reason after the broadcast was accepted (a media header or URL button the template
   * needs was not sent: WhatsApp's 132012, as the issue reports Qontak's strict behaviour).
   */
  failAll?: string;
  /** The failure every entry carries instead of the 132012 one (a recorded broadcast's own error). */
  failAllWith?: { http: string; code: number; title: string; details: string };
  /** Share of entries that fail (default 0.07). */
  failureRate?: number;
  /** Counts once every entry has settled: they no longer change, so they are computed once. */
  settledCounts?: Record<EntryStatus, number>;
}

export type EntryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

// WhatsApp's own failure reasons, as Qontak relays them in whatsapp_error_message and messages_response.
const FAILURES = [
  { http: '400', code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
  { http: '400', code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  { http: '400', code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.', details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
  { http: '400', code: 1013, title: 'User is not valid', details: 'User is not valid' },
  { http: '400', code: 131050, title: 'User has stopped marketing messages', details: 'Unable to deliver the marketing message. This can happen when the user stops marketing messages from the business.' },
];
const WA_API_META = { api_status: 'stable', version: '2.55.1' };
// The slowest entry: sent after ≤1 s, delivered ≤1.5 s later, read ≤3 s after that (at speed 1).
const SETTLE_MS = 1000 + 1500 + 3000;

export interface Fate {
  status: EntryStatus;
  sentAt?: number;
  deliveredAt?: number;
  readAt?: number;
  failure?: { http: string; code: number; title: string; details: string };
}

/** Where entry i stands at `now`. ~7% fail; ~60% of the delivered are read. */
export function fateOf(b: SandboxBroadcast, i: number, now: number, speed: number): Fate {
  if (now < b.startAtMs) return { status: 'pending' };
  const u = (k: number) => hashUnit(b.id, i * 7 + k);
  const sentAt = b.startAtMs + (200 + u(1) * 800) / speed;
  if (now < sentAt) return { status: 'pending' };
  if (b.failAll) return { status: 'failed', sentAt, failure: b.failAllWith ?? { http: '400', code: 132012, title: 'Parameter format does not match format in the created template', details: b.failAll } };
  if (u(0) < (b.failureRate ?? 0.07)) return { status: 'failed', sentAt, failure: FAILURES[Math.floor(u(2) * FAILURES.length)]! };
  const deliveredAt = sentAt + (300 + u(3) * 1200) / speed;
  if (now < deliveredAt) return { status: 'sent', sentAt };
  const reads = u(4) < 0.6;
  const readAt = deliveredAt + (500 + u(5) * 2500) / speed;
  if (!reads || now < readAt) return { status: 'delivered', sentAt, deliveredAt };
  return { status: 'read', sentAt, deliveredAt, readAt };
}

export function isDone(b: SandboxBroadcast, now: number, speed: number): boolean {
  // Every entry has left pending (sent at most 1 s after the start, at speed 1).
  return now >= b.startAtMs + 1000 / speed;
}

export function counts(b: SandboxBroadcast, now: number, speed: number): Record<EntryStatus, number> {
  if (b.settledCounts) return { ...b.settledCounts };
  const c: Record<EntryStatus, number> = { failed: 0, delivered: 0, read: 0, pending: 0, sent: 0 };
  if (now < b.startAtMs) {
    c.pending = b.recipients.count;
    return c;
  }
  for (let i = 0; i < b.recipients.count; i++) c[fateOf(b, i, now, speed).status]++;
  if (now >= b.startAtMs + SETTLE_MS / speed) b.settledCounts = { ...c };
  return c;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** WhatsApp's answers as Qontak stores them: one key per status reached (sent, delivered, read), or the errors. */
function messagesResponse(f: Fate, waId: string, phone: string): Record<string, unknown> {
  if (f.failure) {
    return { code: f.failure.http, meta: WA_API_META, errors: [{ code: f.failure.code, title: f.failure.title, details: f.failure.details }] };
  }
  if (f.status === 'pending') return {};
  const out: Record<string, unknown> = { messages: [{ id: waId }], meta: WA_API_META, contacts: [{ input: phone, wa_id: phone }] };
  for (const s of ['sent', 'delivered', 'read'] as const) {
    const at = f[`${s}At`];
    if (at !== undefined) out[s] = { statuses: [{ id: waId, status: s, timestamp: String(Math.floor(at / 1000)), recipient_id: phone }] };
  }
  return out;
}

/**
 * When entry i was created: entries come in groups of seven sharing one millisecond, so a page boundary regularly
 * falls inside a group (log entries of one broadcast share created_at timestamps in the notes' examples).
 */
export function entryCreatedAtMs(b: SandboxBroadcast, i: number): number {
  return b.createdAtMs + Math.floor(i / 7);
}

export function logEntry(b: SandboxBroadcast, i: number, now: number, speed: number) {
  const r = b.recipients.at(i);
  const f = fateOf(b, i, now, speed);
  const waId = f.status === 'pending' || f.status === 'failed' ? 'n/a' : `wamid.${b.id.slice(0, 8)}${String(i).padStart(7, '0')}`;
  return {
    id: logEntryId(b, i),
    organization_id: ORG_ID,
    messages_broadcast_id: b.id,
    contact_phone_number: r.phone,
    contact_full_name: r.name,
    status: f.status,
    whatsapp_message_id: waId,
    whatsapp_error_message: f.failure ? f.failure.details : 'n/a',
    messages_response: messagesResponse(f, waId, r.phone),
    messages: {
      // The template's text with its placeholders and the values beside it, as the notes' log example shows
      // ("template": "Helo {{1}}, …", "parameters": {"1": "audrey", …}), not the message as rendered.
      body: { type: 'body', template: b.template.body, parameters: b.bodyParams ? b.bodyParams(i) : [] },
      header: { type: 'header', template: {}, parameters: [] },
      buttons: { type: 'buttons', template: null, parameters: [] },
    },
    created_at: iso(entryCreatedAtMs(b, i)),
    is_pacing: false,
    channel_integration_id: b.channelId,
  };
}

/** A stable uuid-shaped id per entry, without storing one. */
function logEntryId(b: SandboxBroadcast, i: number): string {
  const hex = (b.id.replace(/-/g, '').slice(0, 20) + i.toString(16).padStart(12, '0')).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
