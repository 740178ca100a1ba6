// Following a delivery log: one pass reads every page; each new entry and each status change is reported once.
// Per entry only its id and a status code are kept, packed in typed arrays, so the memory of a follow barely grows with
// the log: 100,000 entries cost about 3 MB outside the garbage-collected heap instead of 10 MB of strings inside it.
import { DeliverySummary } from './summary.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type LogEntry } from '../../providers/port.js';

export type LogEvent = { kind: 'new'; entry: LogEntry } | { kind: 'change'; entry: LogEntry; from: DeliveryStatus };

export interface FollowOptions {
  /** Pages of one pass over the log; `next` null ends the pass. */
  fetchPage: (cursor: string | null) => Promise<{ entries: LogEntry[]; next: string | null }>;
  /** Whether the broadcast itself has finished sending. */
  isDone: () => Promise<boolean>;
  follow: boolean;
  untilDone: boolean;
  intervalMs: number;
  maxIntervalMs?: number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  onEvent: (e: LogEvent) => void;
}

export interface FollowResult {
  summary: DeliverySummary;
  passes: number;
  interrupted: boolean;
}

// A status's code is its place in the order, so a higher code is a later status.
const CODES = DELIVERY_STATUSES;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INDEX = /^(0|[1-9]\d{0,8})$/;
const KIND_UUID = 1;
const KIND_INDEX = 2;

/**
 * Status code per entry id. Lower-case UUIDs (Qontak) and plain indexes (a Konekwa journal) are stored exactly as
 * 16 bytes in an open-addressing table; any other id goes to a Map, so no two ids can ever be taken for one.
 */
export class SeenIds {
  private keys = new Uint32Array(4 * 1024);
  // 0 for an empty slot, else kind << 4 | (code + 1).
  private slots = new Uint8Array(1024);
  private used = 0;
  private readonly other = new Map<string, number>();
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.used + this.other.size;
  }

  get(id: string): number | undefined {
    const kind = this.encode(id);
    if (kind === 0) return this.other.get(id);
    const slot = this.find(kind);
    const v = this.slots[slot]!;
    return v === 0 ? undefined : (v & 15) - 1;
  }

  set(id: string, code: number): void {
    const kind = this.encode(id);
    if (kind === 0) {
      this.other.set(id, code);
      return;
    }
    let slot = this.find(kind);
    if (this.slots[slot] === 0) {
      if ((this.used + 1) * 10 > this.slots.length * 7) {
        this.grow();
        slot = this.find(kind);
      }
      this.used++;
      this.keys.set(this.key, slot * 4);
    }
    this.slots[slot] = (kind << 4) | (code + 1);
  }

  /** Puts id's 16 bytes in this.key and returns its kind, or 0 for an id kept as a string. */
  private encode(id: string): number {
    const k = this.key;
    if (id.length === 36 && UUID.test(id)) {
      k[0] = parseInt(id.slice(0, 8), 16);
      k[1] = parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
      k[2] = parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
      k[3] = parseInt(id.slice(28), 16);
      return KIND_UUID;
    }
    if (id.length <= 9 && INDEX.test(id)) {
      k[0] = Number(id);
      k[1] = k[2] = k[3] = 0;
      return KIND_INDEX;
    }
    return 0;
  }

  /** The slot holding this.key of this kind, or the empty slot where it would go (linear probing). */
  private find(kind: number): number {
    const k = this.key;
    const mask = this.slots.length - 1;
    let h = Math.imul(k[0]! ^ Math.imul(k[1]!, 0x85ebca6b) ^ Math.imul(k[2]!, 0xc2b2ae35) ^ Math.imul(k[3]!, 0x27d4eb2f) ^ kind, 0x9e3779b1);
    h ^= h >>> 15;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return slot;
      const at = slot * 4;
      if (v >> 4 === kind && this.keys[at] === k[0] && this.keys[at + 1] === k[1] && this.keys[at + 2] === k[2] && this.keys[at + 3] === k[3]) return slot;
    }
  }

  private grow(): void {
    const { keys, slots } = this;
    const saved = Uint32Array.from(this.key);
    this.keys = new Uint32Array(keys.length * 2);
    this.slots = new Uint8Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i]!;
      if (v === 0) continue;
      this.key.set(keys.subarray(i * 4, i * 4 + 4));
      const slot = this.find(v >> 4);
      this.keys.set(this.key, slot * 4);
      this.slots[slot] = v;
    }
    this.key.set(saved);
  }
}

export async function followLog(o: FollowOptions): Promise<FollowResult> {
  const seen = new SeenIds();
  const summary = new DeliverySummary();
  let interval = o.intervalMs;
  const max = o.maxIntervalMs ?? Math.max(o.intervalMs, 60_000);
  let passes = 0;
  for (;;) {
    let changed = false;
    let cursor: string | null = null;
    do {
      if (o.signal.aborted) return { summary, passes, interrupted: true };
      const page: { entries: LogEntry[]; next: string | null } = await o.fetchPage(cursor);
      for (const e of page.entries) {
        const before = seen.get(e.id);
        const code = CODES.indexOf(e.status);
        if (before === undefined) {
          seen.set(e.id, code);
          summary.add(e.status, e.error);
          o.onEvent({ kind: 'new', entry: e });
          changed = true;
        } else if (code > before) {
          // Statuses only move forward; an older status from a stale page is ignored.
          seen.set(e.id, code);
          summary.move(CODES[before]!, e.status, e.error);
          o.onEvent({ kind: 'change', entry: e, from: CODES[before]! });
          changed = true;
        }
      }
      cursor = page.next;
    } while (cursor !== null);
    passes++;
    if (!o.follow) return { summary, passes, interrupted: false };
    if (o.untilDone && summary.counts.pending === 0 && (await o.isDone())) return { summary, passes, interrupted: false };
    // Back off while nothing moves; come back to the set pace as soon as something does.
    interval = changed ? o.intervalMs : Math.min(max, Math.round(interval * 1.5));
    await o.sleep(interval);
    if (o.signal.aborted) return { summary, passes, interrupted: true };
  }
}
