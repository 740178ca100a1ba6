// A delivery-log entry in one shape for both providers.
import type { DeliveryStatus } from '../../providers/port.js';

export interface LogEntry {
  id: string;
  phone: string;
  name: string;
  status: DeliveryStatus;
  /**
   * The API's own status when it is none of the five documented ones: shown as it is. Such an entry counts as
   * `failed` (final, not delivered as far as anyone can tell), so `--until-done` ends instead of waiting forever.
   */
  rawStatus?: string;
  /** The failure reason; absent when the API says "n/a". */
  error?: string;
  waMessageId?: string;
  createdAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
}

export const STATUS_RANK: Record<DeliveryStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
const STATUSES = Object.keys(STATUS_RANK) as DeliveryStatus[];

const na = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== 'n/a' ? v : undefined);
const epoch = (v: unknown): string | undefined => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : undefined;
};

/** Qontak's log entry (GET /broadcasts/{id}/whatsapp/log). Times come from WhatsApp's statuses in messages_response. */
export function fromQontakLogEntry(raw: unknown): LogEntry {
  const r = (raw ?? {}) as Record<string, unknown>;
  const known = STATUSES.includes(r.status as DeliveryStatus);
  const status: DeliveryStatus = known ? (r.status as DeliveryStatus) : r.status === undefined || r.status === null || r.status === '' ? 'pending' : 'failed';
  type Statuses = { statuses?: { status?: string; timestamp?: unknown }[] };
  const response = (r.messages_response ?? {}) as Statuses & Partial<Record<'sent' | 'delivered' | 'read', Statuses>> & { errors?: { title?: string; details?: string }[] };
  // Qontak files each webhook under its status (messages_response.sent.statuses[…]); a flat statuses list is read too.
  const at = (s: 'sent' | 'delivered' | 'read') =>
    epoch(response[s]?.statuses?.find((x) => x.status === s)?.timestamp ?? response.statuses?.find((x) => x.status === s)?.timestamp);
  const error = na(r.whatsapp_error_message) ?? (status === 'failed' ? (response.errors?.[0]?.details ?? response.errors?.[0]?.title) : undefined);
  const e: LogEntry = { id: String(r.id ?? ''), phone: String(r.contact_phone_number ?? ''), name: String(r.contact_full_name ?? ''), status };
  if (!known && status === 'failed') {
    e.rawStatus = String(r.status);
    e.error = error ?? `status "${String(r.status)}" (not one of Qontak's documented statuses)`;
  } else if (error) e.error = error;
  const wa = na(r.whatsapp_message_id);
  if (wa) e.waMessageId = wa;
  const created = na(r.created_at);
  if (created) e.createdAt = created;
  const sent = at('sent');
  if (sent) e.sentAt = sent;
  const delivered = at('delivered');
  if (delivered) e.deliveredAt = delivered;
  const read = at('read');
  if (read) e.readAt = read;
  return e;
}

/** Whether an entry's status will not change any more (what `--until-done` waits for). */
export function isFinal(e: Pick<LogEntry, 'status'>): boolean {
  return e.status !== 'pending' && e.status !== 'sent';
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
