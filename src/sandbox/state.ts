// Everything the sandbox holds, inspectable by tests: what was received, what was sent to whom.
import { mulberry32, uuidFrom } from './rng.js';
import { RECORDED, seedIntegrations, seedKonekwa, seedTemplates, type SandboxTemplate } from './seed.js';
import type { Recipient, SandboxBroadcast } from './delivery.js';

export interface ReceivedRequest {
  api: 'qontak' | 'konekwa' | 'oauth';
  method: string;
  path: string;
  /** The query string as sent, with its `?` ('' without one). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface SandboxContactList {
  id: string;
  name: string;
  createdAtMs: number;
  readyAtMs: number;
  outcome: 'success' | 'failed';
  contacts: (Recipient & { extra: Record<string, string> })[];
  variables: string[];
  /** error_messages as the list answer carries it: an object (notes §11), here keyed by row or `header`. */
  errorMessages: Record<string, string[]>;
  rowsTotal: number;
}

export interface Upload {
  name: string;
  filename: string;
  contentType: string | undefined;
  bytes: Buffer;
}

export interface KonekwaMessage {
  message_id: string;
  session_id: string;
  recipient: string;
  message_type: string;
  content?: string;
  template_id?: string;
  placeholder_values?: Record<string, string>;
  queuedAtMs: number;
  /** received: a reply to the session; `recipient` holds its author here (listed as `sender`, only when asked for). */
  direction: 'sent' | 'received';
}

export class SandboxState {
  readonly rand: () => number;
  readonly requests: ReceivedRequest[] = [];
  /** Keep request bodies (off for benchmarks of 100,000 sends). */
  recordRequests = true;
  integrations: ReturnType<typeof seedIntegrations>;
  templates: SandboxTemplate[];
  contactLists = new Map<string, SandboxContactList>();
  uploads: Upload[] = [];
  broadcasts = new Map<string, SandboxBroadcast>();
  /** Numbers the server drops from uploaded lists although they look valid (say, not on WhatsApp). */
  qontakRejectsNumbers = new Set<string>();
  lastBulkAtMs = -Infinity;
  directTimes: number[] = [];
  validTokens = new Set<string>();
  refreshTokens = new Set<string>();
  konekwa: ReturnType<typeof seedKonekwa> & { messages: Map<string, KonekwaMessage>; order: string[] };
  /** Accepted Konekwa sends per recipient: the exactly-once tests read this. */
  sendsByRecipient = new Map<string, number>();
  /** Sends refused with 429 because they came too fast. */
  konekwaRateLimited = 0;
  /** Test hook: list a received message's author as `sender` (no document shows such a field; off by default). */
  konekwaListsSender = false;
  /** Test hook: a status a sent message moves to after SENT (none is documented; unset by default). */
  konekwaStatusAfterSent: string | undefined;
  /** Accepted Qontak direct sends per phone number. */
  directSendsByRecipient = new Map<string, number>();
  /** Direct sends refused with 429. */
  directRateLimited = 0;
  /**
   * What a bulk POST answers (no recording or document shows it): `documented`, the fields three public clients read
   * (qontak.md, "Evidence from public clients"); `empty`, a bare `{}` after the broadcast was made.
   */
  qontakBulkAnswer: 'documented' | 'empty' = 'documented';
  /**
   * How an uploaded sheet's columns become variables: `header`, by header name (the API notes; inferred for the
   * importer); `column-e`, only from column E on, as the FAQ's upload guide has it.
   */
  qontakUploadLayout: 'header' | 'column-e' = 'header';
  /** Why the last refused HMAC request was refused (the gateway itself only says "Unauthorized"). */
  lastAuthFailure: string | undefined;

  constructor(
    seed: number,
    private readonly now: () => number = Date.now,
  ) {
    this.rand = mulberry32(seed);
    this.integrations = seedIntegrations(this.rand);
    this.templates = seedTemplates(this.rand);
    this.konekwa = { ...seedKonekwa(this.rand), messages: new Map(), order: [] };
  }

  newId(): string {
    return uuidFrom(this.rand);
  }

  /** A message a Konekwa session received (a reply), listed by `GET /v1/messages?direction=received`. */
  receiveKonekwa(m: { from: string; content: string; sessionId?: string; atMs?: number }): KonekwaMessage {
    const msg: KonekwaMessage = {
      message_id: `msg_${this.newId().replace(/-/g, '').slice(0, 16)}`,
      session_id: m.sessionId ?? this.konekwa.sessions[0]!.id,
      recipient: m.from,
      message_type: 'text',
      content: m.content,
      queuedAtMs: m.atMs ?? this.now(),
      direction: 'received',
    };
    this.konekwa.messages.set(msg.message_id, msg);
    this.konekwa.order.push(msg.message_id);
    return msg;
  }

  /**
   * Adds the recorded contact list and broadcast (fixed ids, so nothing drawn from the seed moves). Off by default:
   * tests that count lists or broadcasts start from an empty account; `wa-cli sandbox` and the help examples use them.
   */
  seedRecorded(): void {
    const l = RECORDED.contactList;
    this.contactLists.set(l.id, {
      id: l.id,
      name: l.name,
      createdAtMs: l.createdAtMs,
      readyAtMs: l.readyAtMs,
      outcome: 'success',
      contacts: l.contacts.map((c) => ({ ...c, extra: { ...c.extra } })),
      variables: [...l.variables],
      errorMessages: {},
      rowsTotal: l.contacts.length,
    });
    const r = RECORDED.broadcast;
    this.broadcasts.set(r.id, {
      id: r.id,
      name: r.name,
      channelId: r.channelId,
      contactListId: r.contactListId,
      contactListName: r.contactListName,
      template: { ...r.template, buttons: [] },
      createdAtMs: r.createdAtMs,
      startAtMs: r.startAtMs,
      executeType: 'immediately',
      parameters: { header: {}, body: {}, buttons: {} },
      recipients: { count: 1, at: () => ({ ...r.recipient }) },
      render: () => r.template.body,
      failAll: r.failure.details,
      failAllWith: { ...r.failure },
    });
  }

  /** Invalidates every OAuth access token, as if they had expired. */
  expireAccessTokens(): void {
    this.validTokens.clear();
  }

  /**
   * A broadcast with `recipients` synthetic entries, created directly (benchmarks and log-following tests): no list,
   * no HTTP, nothing stored per entry. Its delivery progresses from `startAtMs` (default: now) like any other.
   */
  seedBroadcast(opts: { recipients: number; startAtMs?: number; name?: string; templateName?: string; failureRate?: number; channelId?: string }): SandboxBroadcast {
    const t = this.templates.find((x) => x.name === (opts.templateName ?? 'order_update') && x.status === 'APPROVED');
    if (!t) throw new Error(`seedBroadcast: no approved template named ${opts.templateName}`);
    const keys = [...new Set([...t.body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1]!))];
    const startAtMs = opts.startAtMs ?? this.now();
    const at = (i: number): Recipient => ({ phone: `62812${String(i).padStart(8, '0')}`, name: `Pelanggan ${i}` });
    const params = (i: number): Record<string, string> => Object.fromEntries(keys.map((k) => [k, k === '1' ? at(i).name : `INV-${i}-${k}`]));
    const id = this.newId();
    const b: SandboxBroadcast = {
      id,
      name: opts.name ?? `seeded-${opts.recipients}`,
      channelId: opts.channelId ?? this.integrations[0]!.id,
      contactListId: null,
      contactListName: null,
      template: { ...t },
      createdAtMs: startAtMs,
      startAtMs,
      executeType: 'immediately',
      parameters: { header: {}, body: keys.map((k) => ({ key: k, value: k === '1' ? 'full_name' : `var_${k}` })), buttons: {} },
      recipients: { count: opts.recipients, at },
      render: (i) => {
        const p = params(i);
        return t.body.replace(/\{\{(\d+)\}\}/g, (_m, k: string) => p[k] ?? '');
      },
      bodyParams: params,
      ...(opts.failureRate !== undefined ? { failureRate: opts.failureRate } : {}),
    };
    this.broadcasts.set(id, b);
    return b;
  }
}
