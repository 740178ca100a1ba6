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
}

export type EntryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

const FAILURES = [
  { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable: the recipient is not a WhatsApp user or has not accepted the latest terms' },
  { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours have passed since the recipient last replied to this number' },
  { code: 131049, title: 'Meta chose not to deliver', details: 'This message was not delivered to maintain healthy ecosystem engagement' },
];

export interface Fate {
  status: EntryStatus;
  sentAt?: number;
  deliveredAt?: number;
  readAt?: number;
  failure?: (typeof FAILURES)[number];
}

/** Where entry i stands at `now`. ~7% fail; ~60% of the delivered are read. */
export function fateOf(b: SandboxBroadcast, i: number, now: number, speed: number): Fate {
  if (now < b.startAtMs) return { status: 'pending' };
  const u = (k: number) => hashUnit(b.id, i * 7 + k);
  const sentAt = b.startAtMs + (200 + u(1) * 800) / speed;
  if (now < sentAt) return { status: 'pending' };
  if (u(0) < 0.07) return { status: 'failed', sentAt, failure: FAILURES[Math.floor(u(2) * FAILURES.length)]! };
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
  const c: Record<EntryStatus, number> = { failed: 0, delivered: 0, read: 0, pending: 0, sent: 0 };
  for (let i = 0; i < b.recipients.count; i++) c[fateOf(b, i, now, speed).status]++;
  return c;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function logEntry(b: SandboxBroadcast, i: number, now: number, speed: number) {
  const r = b.recipients.at(i);
  const f = fateOf(b, i, now, speed);
  const waId = f.status === 'pending' || f.status === 'failed' ? 'n/a' : `wamid.${b.id.slice(0, 8)}${String(i).padStart(7, '0')}`;
  const statuses = (['sent', 'delivered', 'read'] as const)
    .map((s) => ({ s, at: f[`${s}At` as 'sentAt' | 'deliveredAt' | 'readAt'] }))
    .filter((x) => x.at !== undefined && f.status !== 'failed')
    .map((x) => ({ status: x.s, timestamp: String(Math.floor(x.at! / 1000)), recipient_id: r.phone }));
  return {
    id: `${b.id.slice(0, 8)}-log-${i}`,
    organization_id: ORG_ID,
    messages_broadcast_id: b.id,
    contact_phone_number: r.phone,
    contact_full_name: r.name,
    status: f.status,
    whatsapp_message_id: waId,
    whatsapp_error_message: f.failure ? f.failure.details : 'n/a',
    messages_response: f.failure
      ? { code: '400', errors: [{ code: f.failure.code, title: f.failure.title, details: f.failure.details }] }
      : { messages: waId === 'n/a' ? [] : [{ id: waId }], statuses },
    messages: { body: { type: 'body', template: b.render(i), parameters: [] }, header: { type: 'header', template: {}, parameters: [] }, buttons: { type: 'buttons', template: null, parameters: [] } },
    created_at: iso(b.createdAtMs),
    is_pacing: false,
    channel_integration_id: b.channelId,
  };
}
