// The one interface both providers implement. Commands depend on this file only; factory.ts picks the adapter.
import type { AuthMethod, ProviderName } from '../config/profiles.js';
import { UsageError } from '../errors.js';

export interface Capabilities {
  /** Server-side contact lists (upload, list, show). */
  contactLists: boolean;
  /** One API call sends to a whole list. Without it a broadcast is a fan-out wa-cli performs itself. */
  bulkBroadcast: boolean;
  /** The server schedules a send for later. */
  scheduling: boolean;
  /** The server keeps a delivery log per broadcast. */
  broadcastLog: boolean;
  templateCreate: boolean;
  /** Placeholder style of the provider's templates. */
  placeholderStyle: 'positional' | 'named';
  /** Rows a contact-list upload may hold, per file format. */
  uploadRowLimits?: { xlsx: number; csv: number };
}

export interface AuthCheck {
  ok: true;
  /** What the live check saw, e.g. "3 WhatsApp channels". */
  detail: string;
}

export interface Channel {
  id: string;
  name: string;
  /** The WhatsApp number behind it, when the API says. */
  phone: string | undefined;
  /** active / inactive for Qontak, CONNECTED / DISCONNECTED… for Konekwa. */
  status: string;
  /** Whether messages can go out through it now. */
  canSend: boolean;
}

// ---- templates -------------------------------------------------------------------------------------------------

export interface RemoteButton {
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
  example?: unknown;
}

/** A template as the account holds it, in one shape for both providers. */
export interface RemoteTemplate {
  id: string;
  name: string;
  /** '' where the provider has no languages (Konekwa). */
  language: string;
  category: string;
  /** APPROVED, PENDING, REJECTED… Konekwa templates need no review and read as APPROVED. */
  status: string;
  body: string;
  header: { format: string; text?: string; example?: unknown } | null;
  footer: string | null;
  buttons: RemoteButton[];
  qualityRating: string | null;
  /** The provider's own object, for --json. */
  raw: unknown;
}

export interface TemplateQuery {
  status?: string;
  category?: string;
  query?: string;
  /** Stop after this many (undefined: all). */
  max?: number;
}

/** A template to create: Meta's create shape (Qontak) or name + content (Konekwa). */
export interface TemplateCreate {
  name: string;
  language: string;
  category: string;
  body: string;
  header?: { format: string; text?: string; example?: unknown } | null;
  footer?: string | null;
  buttons?: RemoteButton[];
  bodyExamples?: string[];
}

// ---- contact lists ---------------------------------------------------------------------------------------------

export interface ContactList {
  id: string;
  name: string;
  /** processing, success, failed… as the server says. */
  progress: string;
  count: number;
  succeeded: number;
  failed: number;
  variables: string[];
  /** Shape undocumented: shown as given. */
  errorMessages: unknown;
  createdAt: string | undefined;
  finishedAt: string | undefined;
  raw: unknown;
}

export interface ListContact {
  phone: string;
  name: string;
  variables: Record<string, string>;
}

export interface UploadFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

// ---- broadcasts ------------------------------------------------------------------------------------------------

export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface BroadcastSummary {
  id: string;
  name: string;
  /** todo, done, failed (Qontak's execute_status). */
  status: string;
  createdAt: string | undefined;
  sendAt: string | undefined;
  /** immediately, specific, campaign_plan (Qontak's execute_type, recorded); undefined when the answer lacks it. */
  executeType?: string | undefined;
  templateName: string | undefined;
  contactListName: string | undefined;
  counts: Record<DeliveryStatus, number>;
  raw: unknown;
}

/** A media header's parameters, as Qontak's direct-send example carries them: params url and filename. */
export interface MediaHeaderParams {
  format: 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  params: { key: 'url' | 'filename'; value: string }[];
}

/** A dynamic URL button's value; `index` is the button's position as a string, as Qontak requires. */
export interface UrlButtonParam {
  index: string;
  type: 'url';
  value: string;
}

export interface BulkSend {
  name: string;
  templateId: string;
  contactListId: string;
  channelId: string;
  language?: string;
  /** Placeholder key → contact-list column. */
  body: { key: string; value: string }[];
  /** A media header (templates with an IMAGE, VIDEO or DOCUMENT header). */
  header?: MediaHeaderParams;
  /** Dynamic URL buttons; `value` is a list column or a literal [inferred: the bulk shape is documented for body only]. */
  buttons?: UrlButtonParam[];
  /** ISO 8601; sent in UTC with Z. Omitted sends now. */
  sendAt?: string;
}

export interface DirectSend {
  toName: string;
  toNumber: string;
  templateId: string;
  channelId: string;
  language: string;
  body: { key: string; valueText: string; value: string }[];
  header?: { format: string; params: { key: string; value: string }[] };
  buttons?: { index: string; type: string; value: string }[];
}

/** A file placed on the provider's media host (Qontak's POST /file_uploader). */
export interface UploadedMedia {
  url: string;
  filename: string;
}

/** One message of a fan-out (Konekwa). */
export interface MessageSend {
  sessionId: string;
  recipient: string;
  templateId: string;
  placeholderValues: Record<string, string>;
  /** The text as rendered locally: required by the API for text messages, and what reconciliation matches on. */
  content: string;
}

/**
 * What became of one message: the fan-out engine decides on retries from this alone.
 * `rate-limited` and `not-sent`: the server certainly did not act, safe to send again.
 * `unknown`: it may have acted; reconcile before any resend.
 * `rejected`: the server refused this recipient (an invalid number): final for this recipient only.
 * `stop`: a refusal that every later send would meet too (session not connected, credentials, missing template, a
 * server error): the run stops, this recipient stays unsettled (`maybeActed`: the request may have been carried out).
 */
export type SendOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'rate-limited'; retryAfterMs?: number }
  | { kind: 'not-sent'; error: string }
  | { kind: 'unknown'; error: string }
  | { kind: 'stop'; error: string; maybeActed: boolean };

/** A message as Konekwa lists it: only the documented fields (konekwa-api.txt, GET /v1/messages). */
export interface SentMessage {
  id: string;
  sessionId: string;
  recipient: string;
  status: string;
  content: string | undefined;
  createdAt: string | undefined;
  sentAt: string | undefined;
}

export interface LogPage<E = unknown> {
  entries: E[];
  next: string | null;
}

export interface Provider {
  readonly name: ProviderName;
  readonly method: AuthMethod;
  readonly baseUrl: string;
  readonly capabilities: Capabilities;
  /** A cheap authenticated call proving the credentials work. */
  checkAuth(): Promise<AuthCheck>;
  listChannels(): Promise<Channel[]>;

  listTemplates(q: TemplateQuery): AsyncIterable<RemoteTemplate>;
  getTemplate(id: string): Promise<RemoteTemplate>;
  createTemplate(t: TemplateCreate): Promise<RemoteTemplate>;

  // Contact lists: refused with CapabilityError where capabilities.contactLists is false.
  uploadContactList(name: string, file: UploadFile): Promise<ContactList>;
  getContactList(id: string): Promise<ContactList>;
  listContactLists(max?: number): AsyncIterable<ContactList>;
  /** The contacts of a list with their variables, for checking values before a bulk send. */
  listContacts(listId: string): AsyncIterable<ListContact>;
  /** Puts a local file on the provider's media host for a media header (absent: the provider has none). */
  uploadMedia?(file: UploadFile): Promise<UploadedMedia>;

  // Server-side broadcasts (Qontak).
  sendBulk(b: BulkSend): Promise<BroadcastSummary>;
  sendDirect(d: DirectSend): Promise<{ id: string; raw: unknown }>;
  getBroadcast(id: string): Promise<BroadcastSummary>;
  listBroadcasts(q: { query?: string; since?: string; max?: number }): AsyncIterable<BroadcastSummary>;
  /** One page of a broadcast's delivery log (raw entries, mapped by core/logs). */
  logPage(broadcastId: string, cursor: string | null): Promise<LogPage>;

  // Single messages (Konekwa's fan-out).
  /** `signal` cancels this request alone (a fan-out lets requests in flight finish after Ctrl-C). */
  sendMessage(m: MessageSend, signal?: AbortSignal): Promise<SendOutcome>;
  getMessage(id: string): Promise<SentMessage>;
  /** Messages a session sent (or, with direction received, got) since a time, every page, for reconciliation and delivery statuses. */
  listMessages(q: { sessionId?: string; since?: string; direction?: 'sent' | 'received' }): AsyncIterable<SentMessage>;
}

/** Raised when a command needs something the provider does not have; exits 2 and names the alternative. */
export class CapabilityError extends UsageError {
  constructor(provider: ProviderName, what: string, instead?: string) {
    super(`${provider === 'qontak' ? 'Qontak' : 'Konekwa'} has no ${what}.`, instead === undefined ? {} : { hint: instead });
  }
}
