// Qontak objects → the port's shapes. One place to change when the API's shapes move.
import { DELIVERY_STATUSES, type BroadcastSummary, type ContactList, type DeliveryStatus, type LogEntry, type RemoteButton, type RemoteTemplate } from '../port.js';

export interface QontakTemplate {
  id: string;
  name: string;
  language?: string;
  /** `object|null` in the notes; a string is read too. */
  header?: unknown;
  body?: string;
  /** `object|null` in the notes, `null` in every sample, a string in some typed clients: all are read. */
  footer?: unknown;
  buttons?: RemoteButton[] | null;
  status?: string;
  category?: string;
  quality_rating?: string | null;
  quality_rating_text?: string | null;
}

/**
 * A footer (or a text header's words) as text, whatever the shape: a string, an object carrying `text` (Meta's
 * component), or anything else as its JSON, so nothing is ever shown as "[object Object]".
 */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const text = (v as { text?: unknown }).text;
    if (typeof text === 'string') return text;
    if (Object.keys(v).length === 0) return null;
  }
  return JSON.stringify(v);
}

/** The header as the port's shape: `{format, example}` as recorded, a bare string as a text header, else its JSON. */
function headerOf(h: unknown): RemoteTemplate['header'] {
  if (h === null || h === undefined || h === '') return null;
  if (typeof h === 'string') return { format: 'TEXT', text: h };
  if (typeof h !== 'object' || Array.isArray(h)) return { format: 'TEXT', text: JSON.stringify(h) };
  const o = h as { format?: unknown; text?: unknown; example?: unknown };
  if (Object.keys(o).length === 0) return null;
  if (typeof o.format !== 'string') return { format: 'TEXT', text: textOf(o) ?? '' };
  const text = o.text === undefined ? undefined : textOf(o.text);
  return { format: o.format.toUpperCase(), ...(text ? { text } : {}), ...(o.example !== undefined && o.example !== null ? { example: o.example } : {}) };
}

export function toTemplate(t: QontakTemplate): RemoteTemplate {
  return {
    id: t.id,
    name: t.name,
    language: t.language ?? '',
    category: t.category ?? '',
    status: t.status ?? '',
    body: t.body ?? '',
    header: headerOf(t.header),
    footer: textOf(t.footer),
    buttons: Array.isArray(t.buttons) ? t.buttons : [],
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

export function toContactList(raw: unknown): ContactList {
  const l = (raw && typeof raw === 'object' ? raw : {}) as Partial<QontakContactList>;
  return {
    id: typeof l.id === 'string' ? l.id : '',
    name: l.name ?? '',
    progress: l.progress ?? 'unknown',
    count: l.contacts_count ?? 0,
    succeeded: l.contacts_count_success ?? 0,
    failed: l.contacts_count_failed ?? 0,
    variables: Array.isArray(l.contact_variables) ? l.contact_variables : [],
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

/** Read defensively: an answer may lack any field (a POST's answer is not recorded); a missing id is ''. */
export function toBroadcast(raw: unknown): BroadcastSummary {
  const b = (raw && typeof raw === 'object' ? raw : {}) as Partial<QontakBroadcast>;
  const c = b.message_status_count ?? {};
  return {
    id: typeof b.id === 'string' ? b.id : '',
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

/** POST /templates/whatsapp answers with the envelope nested once more: data.data[…] (recorded); undefined without one. */
export function unwrapCreated(body: unknown): QontakTemplate[] {
  const d = (body as { data?: unknown })?.data;
  const inner = d && typeof d === 'object' && !Array.isArray(d) && 'data' in d ? (d as { data?: unknown }).data : d;
  const list = Array.isArray(inner) ? inner : inner ? [inner] : [];
  return list.filter((t): t is QontakTemplate => !!t && typeof t === 'object' && typeof (t as { id?: unknown }).id === 'string');
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
  // A status the documents do not list is neither a failure (a failed recipient may be sent again) nor final: it is
  // counted as sent, so a later documented status still moves it and `--until-done` does not wait on it for ever.
  const status: DeliveryStatus = known ? (r.status as DeliveryStatus) : r.status === undefined || r.status === null || r.status === '' ? 'pending' : 'sent';
  type Statuses = { statuses?: { status?: string; timestamp?: unknown }[] };
  const response = (r.messages_response ?? {}) as Statuses & Partial<Record<'sent' | 'delivered' | 'read', Statuses>> & { errors?: { title?: string; details?: string }[] };
  // Qontak files each webhook under its status (messages_response.sent.statuses[…]); a flat statuses list is read too.
  const at = (s: 'sent' | 'delivered' | 'read') =>
    epoch(response[s]?.statuses?.find((x) => x.status === s)?.timestamp ?? response.statuses?.find((x) => x.status === s)?.timestamp);
  const error = na(r.whatsapp_error_message) ?? (status === 'failed' ? (response.errors?.[0]?.details ?? response.errors?.[0]?.title) : undefined);
  const e: LogEntry = { id: String(r.id ?? ''), phone: String(r.contact_phone_number ?? ''), name: String(r.contact_full_name ?? ''), status };
  if (!known && status === 'sent') {
    e.rawStatus = String(r.status);
    e.error = `status "${String(r.status)}" (not one of Qontak's documented statuses; counted as sent, not final)${error ? `: ${error}` : ''}`;
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
