// Qontak objects → the port's shapes. One place to change when the API's shapes move.
import { DELIVERY_STATUSES, type BroadcastSummary, type ContactList, type DeliveryStatus, type LogEntry, type RemoteButton, type RemoteTemplate } from '../port.js';

export interface QontakTemplate {
  id: string;
  name: string;
  language?: string;
  header?: { format?: string; text?: string; example?: unknown } | null;
  body?: string;
  footer?: string | null;
  buttons?: RemoteButton[] | null;
  status?: string;
  category?: string;
  quality_rating?: string | null;
  quality_rating_text?: string | null;
}

export function toTemplate(t: QontakTemplate): RemoteTemplate {
  return {
    id: t.id,
    name: t.name,
    language: t.language ?? '',
    category: t.category ?? '',
    status: t.status ?? '',
    body: t.body ?? '',
    header: t.header ? { format: t.header.format ?? 'TEXT', ...(t.header.text ? { text: t.header.text } : {}), ...(t.header.example ? { example: t.header.example } : {}) } : null,
    footer: t.footer ?? null,
    buttons: t.buttons ?? [],
    qualityRating: t.quality_rating ?? t.quality_rating_text ?? null,
    raw: t,
  };
}

export interface QontakContactList {
  id: string;
  name: string;
  progress?: string;
  contacts_count?: number;
  contacts_count_success?: number;
  contacts_count_failed?: number;
  contact_variables?: string[];
  error_messages?: unknown;
  created_at?: string;
  finished_at?: string | null;
}

export function toContactList(l: QontakContactList): ContactList {
  return {
    id: l.id,
    name: l.name,
    progress: l.progress ?? 'unknown',
    count: l.contacts_count ?? 0,
    succeeded: l.contacts_count_success ?? 0,
    failed: l.contacts_count_failed ?? 0,
    variables: l.contact_variables ?? [],
    errorMessages: l.error_messages ?? null,
    createdAt: l.created_at,
    finishedAt: l.finished_at ?? undefined,
    raw: l,
  };
}

export interface QontakBroadcast {
  id: string;
  name?: string;
  execute_status?: string;
  created_at?: string;
  send_at?: string;
  execute_type?: string;
  message_template?: { name?: string } | null;
  contact_list_name?: string;
  message_status_count?: Partial<Record<DeliveryStatus, number>>;
}

export function toBroadcast(b: QontakBroadcast): BroadcastSummary {
  const c = b.message_status_count ?? {};
  return {
    id: b.id,
    name: b.name ?? '',
    status: b.execute_status ?? 'unknown',
    createdAt: b.created_at,
    sendAt: b.send_at,
    executeType: b.execute_type,
    templateName: b.message_template?.name,
    contactListName: b.contact_list_name,
    counts: Object.fromEntries(DELIVERY_STATUSES.map((k) => [k, c[k] ?? 0])) as Record<DeliveryStatus, number>,
    raw: b,
  };
}

/** POST /templates/whatsapp answers with the envelope nested once more: data.data[0]. */
export function unwrapCreated(body: unknown): QontakTemplate {
  const d = (body as { data?: unknown })?.data as { data?: unknown } | QontakTemplate | undefined;
  if (d && typeof d === 'object' && 'data' in d) {
    const inner = d.data;
    return (Array.isArray(inner) ? inner[0] : inner) as QontakTemplate;
  }
  return d as QontakTemplate;
}

const na = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== 'n/a' ? v : undefined);
const epoch = (v: unknown): string | undefined => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : undefined;
};

/** Qontak's log entry (GET /broadcasts/{id}/whatsapp/log). Times come from WhatsApp's statuses in messages_response. */
export function fromQontakLogEntry(raw: unknown): LogEntry {
  const r = (raw ?? {}) as Record<string, unknown>;
  const known = (DELIVERY_STATUSES as readonly unknown[]).includes(r.status);
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
