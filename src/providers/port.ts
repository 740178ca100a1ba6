// The one interface both providers implement: what every provider has, plus optional capability ports (contact
// lists, server-side broadcasts, single messages, media) an adapter fills in only where its API has them. Callers
// check for the port and raise CapabilityError themselves. Commands and core depend on this file only; factory.ts
// picks the adapter.
import type { AuthMethod, ProviderName } from '../config/profiles.js';
import { UsageError } from '../errors.js';

export interface AuthCheck {
  ok: true;
  /** What the live check saw, e.g. "3 WhatsApp channels". */
  detail: string;
  /** The server's `Date` header on that answer, when it sent one (a clock check). */
  serverDate?: string;
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

/** The delivery statuses in the order a message moves through them (failed last: final, like read). */
export const DELIVERY_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery-log entry in one shape for both providers. */
export interface LogEntry {
  id: string;
  phone: string;
  name: string;
  status: DeliveryStatus;
  /**
   * The API's own status when it is none of the five documented ones: shown as it is. Such an entry counts as
   * `sent`: not a failure (which invites a second send), not final (a documented status later still moves it), and
   * not pending, so `--until-done` ends instead of waiting for ever.
   */
  rawStatus?: string;
  /** The failure reason; absent when the API says "n/a". */
  error?: string;
  /**
   * A fan-out run's own word for this recipient (sent, failed, unknown, not sent), from its journal: what every count
   * of the run is made of. `status` and `rawStatus` then tell how far an accepted message got on the server.
   */
  state?: 'sent' | 'failed' | 'unknown' | 'not sent';
  waMessageId?: string;
  createdAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
}

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
  /**
   * Looks for this send on the account (the idempotency key is in its name). Asked before the POST goes again after
   * a 429 or a "please wait", and when an answer lacks the broadcast id. Without it such a send is reported unknown.
   */
  findSent?: () => Promise<BroadcastSummary | undefined>;
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

/**
 * One message of a fan-out (Konekwa): the text as rendered locally and nothing else, so the listed `content` is the
 * text sent (with a template id and placeholder values too, no document says which text the server keeps).
 */
export interface MessageSend {
  sessionId: string;
  recipient: string;
  /** The text as rendered locally: required by the API for text messages, and what reconciliation matches on. */
  content: string;
}

/**
 * What became of one message: the fan-out engine decides on retries from this alone.
 * `rate-limited` and `not-sent`: the server certainly did not act, safe to send again.
 * `unknown`: it may have acted; reconcile before any resend. `answered`: the other side ended the exchange (an answer
 * or a closed connection), so once the listing shows a later message of the run this one would be there too; without
 * it wa-cli stopped waiting (a timeout) and the server may still act on it: only the settle window settles it.
 * `rejected`: the server refused this recipient (an invalid number): final for this recipient only.
 * `stop`: a refusal that every later send would meet too (session not connected, credentials, missing template, a
 * server error): the run stops, this recipient stays unsettled (`maybeActed`: the request may have been carried out).
 */
export type SendOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'rate-limited'; retryAfterMs?: number }
  | { kind: 'not-sent'; error: string }
  | { kind: 'unknown'; error: string; answered?: boolean }
  | { kind: 'stop'; error: string; maybeActed: boolean; answered?: boolean };

/** A message as Konekwa lists it: only the documented fields (konekwa-api.txt, GET /v1/messages). */
export interface SentMessage {
  id: string;
  sessionId: string;
  recipient: string;
  status: string;
  /** `status` in the shared vocabulary; undefined for a status no document shows (kept in `status` as it came). */
  delivery: DeliveryStatus | undefined;
  content: string | undefined;
  createdAt: string | undefined;
  sentAt: string | undefined;
  /** Who wrote a received message, where the answer carries a `sender` (no document shows one). */
  sender?: string | undefined;
}

/** Which messages to list: a session's, one direction, created within a time range, at most `maxPages` pages. */
export interface MessageQuery {
  sessionId?: string;
  since?: string;
  until?: string;
  direction?: 'sent' | 'received';
  /** More pages than this is an error, never a silent end: a listing cut short proves nothing. */
  maxPages?: number;
  /** Told after each page: how many pages and messages so far. */
  onPage?: (pages: number, messages: number) => void;
}

/** One page of a delivery log; `next` is an opaque token for the page after it, null at the end of the log. */
export interface LogPage {
  entries: LogEntry[];
  next: string | null;
}

/** Server-side contact lists (Qontak). */
export interface ContactListsPort {
  /** Rows one uploaded list may hold, per file format. */
  readonly rowLimits: { xlsx: number; csv: number };
  upload(name: string, file: UploadFile): Promise<ContactList>;
  get(id: string): Promise<ContactList>;
  list(max?: number): AsyncIterable<ContactList>;
  /** The contacts of a list with their variables, for checking values before a bulk send. */
  contacts(listId: string): AsyncIterable<ListContact>;
}

/** Server-side broadcasts: one call sends to a whole list (or one number), scheduled or now, with a delivery log. */
export interface BroadcastsPort {
  sendBulk(b: BulkSend): Promise<BroadcastSummary>;
  sendDirect(d: DirectSend): Promise<{ id: string; raw: unknown }>;
  get(id: string): Promise<BroadcastSummary>;
  list(q: { query?: string; since?: string; max?: number }): AsyncIterable<BroadcastSummary>;
  /**
   * One page of a broadcast's delivery log, from `cursor` (null: the first page). Paged rather than iterated because
   * a follower stops between pages on Ctrl-C and reads the log again from the start on every pass.
   */
  logPage(broadcastId: string, cursor: string | null): Promise<LogPage>;
}

/** Single messages: wa-cli's own fan-out (Konekwa). */
export interface MessagesPort {
  /** `signal` cancels this request alone (a fan-out lets requests in flight finish after Ctrl-C). */
  send(m: MessageSend, signal?: AbortSignal): Promise<SendOutcome>;
  /** Messages a session sent (or, with direction received, got) since a time, every page, for reconciliation and delivery statuses. */
  list(q: MessageQuery): AsyncIterable<SentMessage>;
  /**
   * How far the server's clock is ahead of ours at least, from the `Date` of its last answer (whole seconds, so the
   * true offset is this or up to a second and the answer's travel time more); undefined before any answer with one.
   */
  serverClockAhead(): number | undefined;
}

/** A media host for header files (Qontak's POST /file_uploader). */
export interface MediaPort {
  upload(file: UploadFile): Promise<UploadedMedia>;
}

export interface Provider {
  readonly name: ProviderName;
  readonly method: AuthMethod;
  readonly baseUrl: string;
  /** A cheap authenticated call proving the credentials work. */
  checkAuth(): Promise<AuthCheck>;
  listChannels(): Promise<Channel[]>;

  listTemplates(q: TemplateQuery): AsyncIterable<RemoteTemplate>;
  getTemplate(id: string): Promise<RemoteTemplate>;
  createTemplate(t: TemplateCreate): Promise<RemoteTemplate>;
  /** The template categories the account offers, where the API lists them (Qontak's GET /templates/category). */
  templateCategories?(): Promise<string[]>;

  readonly lists?: ContactListsPort;
  readonly broadcasts?: BroadcastsPort;
  readonly messages?: MessagesPort;
  readonly media?: MediaPort;
}

export type PortName = 'lists' | 'broadcasts' | 'messages' | 'media';

/** A provider known to have these ports. */
export type ProviderWith<K extends PortName> = Provider & { readonly [P in K]-?: NonNullable<Provider[P]> };

export function hasPorts<K extends PortName>(provider: Provider, ...ports: K[]): provider is ProviderWith<K> {
  return ports.every((k) => provider[k] !== undefined);
}

/** Raised when a command needs something the provider does not have; exits 2 and names the alternative. */
export class CapabilityError extends UsageError {
  constructor(provider: ProviderName, what: string, instead?: string) {
    super(`${provider === 'qontak' ? 'Qontak' : 'Konekwa'} has no ${what}.`, instead === undefined ? {} : { hint: instead });
  }
}

/** The port, or a CapabilityError saying what the provider lacks and what to do instead. */
export function need<K extends PortName>(provider: Provider, port: K, what: string, instead?: string): NonNullable<Provider[K]> {
  const p = provider[port];
  if (p === undefined) throw new CapabilityError(provider.name, what, instead);
  return p as NonNullable<Provider[K]>;
}
