// Shared pieces for the broadcast tests: temp state dirs, plans, and a fake gateway that counts what it received.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PlanRecipient } from '../../../src/core/broadcast/journal.js';
import type { ReconcileResult, SendResult } from '../../../src/core/broadcast/fanout.js';
import type { Sleep } from '../../../src/core/broadcast/token-bucket.js';

export const tempState = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'wa-bc-'));

export const recipients = (n: number): PlanRecipient[] =>
  Array.from({ length: n }, (_, i) => ({ i, phone: `62812${String(i).padStart(7, '0')}`, name: `R${i}`, values: { name: `R${i}` } }));

export const header = (runId: string) => ({
  runId,
  provider: 'konekwa',
  template: 'tpl_promo',
  channel: 'ses_1',
  idempotencyKey: 'wa-0123456789abcdef',
  params: { name: 'column:Nama' },
  recipientsSource: 'file:contacts.csv',
});

/** What the gateway does with one request. 'lost-answer': it queues the message but the answer never arrives. */
export type Behaviour = 'ok' | '429' | 'refused' | 'reject' | 'lost-answer' | 'lost-request';

/** An in-memory gateway: counts every message it actually queued, per phone, and tracks concurrency. */
export class FakeGateway {
  readonly received = new Map<string, number>();
  readonly ids = new Map<string, string>();
  inFlight = 0;
  maxInFlight = 0;
  requests = 0;
  sendTimes: number[] = [];
  private n = 0;

  constructor(
    private readonly sleep: Sleep,
    private readonly clock: () => number,
    private readonly latencyMs = 300,
    /** Decides per request (0-based request number, recipient). */
    public behaviour: (req: number, r: PlanRecipient) => Behaviour = () => 'ok',
  ) {}

  send = async (r: PlanRecipient, signal: AbortSignal): Promise<SendResult> => {
    const req = this.requests++;
    const b = this.behaviour(req, r);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Arrival time at the gateway of every request that it will queue.
    if (b === 'ok' || b === 'lost-answer') this.sendTimes.push(this.clock());
    try {
      await this.sleep(this.latencyMs, signal);
      switch (b) {
        case '429':
          return { kind: 'rate-limited', retryAfterMs: 5000 };
        case 'refused':
          return { kind: 'not-sent', error: 'connect ECONNREFUSED 127.0.0.1:8080' };
        case 'reject':
          return { kind: 'rejected', error: 'recipient is not a WhatsApp number' };
        case 'lost-request':
          return { kind: 'unknown', error: 'timeout after 30 s' };
        case 'lost-answer':
        case 'ok': {
          this.received.set(r.phone, (this.received.get(r.phone) ?? 0) + 1);
          const id = `msg-${this.n++}`;
          this.ids.set(r.phone, id);
          return b === 'ok' ? { kind: 'sent', messageId: id } : { kind: 'unknown', error: 'socket hang up' };
        }
      }
    } finally {
      this.inFlight--;
    }
  };

  reconciled: number[][] = [];
  reconcile = async (list: PlanRecipient[]): Promise<Map<number, ReconcileResult>> => {
    this.reconciled.push(list.map((r) => r.i));
    return new Map(
      list.map((r) => {
        const id = this.ids.get(r.phone);
        return [r.i, id ? { found: true, messageId: id, status: 'QUEUED' } : { found: false }];
      }),
    );
  };

  /** Asserts nobody got two messages; returns how many distinct phones got one. */
  once(): number {
    for (const [phone, n] of this.received) if (n !== 1) throw new Error(`${phone} received ${n} messages`);
    return this.received.size;
  }
}
