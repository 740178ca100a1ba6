// Following a delivery log: one pass reads every page; each new entry and each status change is reported once.
// Per entry only its id and a code (its status, and a run's own word for it) are kept, packed in typed arrays, so the
// memory of a follow barely grows with the log: 100,000 entries cost about 2.2 MB outside the garbage-collected heap
// instead of 10 MB of strings inside it.
import { DeliverySummary } from './summary.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type LogEntry } from '../../providers/port.js';
import { askedToWait } from '../../providers/errors.js';

type RunWord = NonNullable<LogEntry['state']>;

/** A change names what the entry was: its status, and for a fan-out run its word (`fromState`: unknown → sent). */
export type LogEvent = { kind: 'new'; entry: LogEntry } | { kind: 'change'; entry: LogEntry; from: DeliveryStatus; fromState?: RunWord };

export interface FollowOptions {
  /** Pages of one pass over the log; `next` null ends the pass. */
  fetchPage: (cursor: string | null) => Promise<{ entries: LogEntry[]; next: string | null }>;
  /** Whether the broadcast itself has finished sending. */
  isDone: () => Promise<boolean>;
  follow: boolean;
  untilDone: boolean;
  /** `--until-done` ends when `isDone` says so, whatever is still pending (a fan-out run: its journal settled). */
  ignorePending?: boolean;
  intervalMs: number;
  maxIntervalMs?: number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  onEvent: (e: LogEvent) => void;
  /** Told when the server asked to wait (a 429 the client could not wait out) and the follow waits as told. */
  onRateLimited?: (waitMs: number) => void;
}

export interface FollowResult {
  summary: DeliverySummary;
  passes: number;
  interrupted: boolean;
}

// A status's code is its place in the order, so a higher code is a later status.
const CODES = DELIVERY_STATUSES;
// A run's word for a recipient moves both ways (a doubt settled as not sent is sent later), so it is kept beside the
// status, not ordered with it: an entry's mark is status code × 8 + (word's place + 1, or 0 without one).
const WORDS: readonly RunWord[] = ['not sent', 'unknown', 'sent', 'failed'];
const markOf = (e: LogEntry): number => CODES.indexOf(e.status) * 8 + (e.state === undefined ? 0 : WORDS.indexOf(e.state) + 1);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INDEX = /^(0|[1-9]\d{0,8})$/;
const KIND_UUID = 1;
const KIND_INDEX = 2;
// Entries per chunk of the id table: 64 KB of ids, so a small log stays small and a large one never copies them.
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/**
 * A small code (below 63) per entry id. Lower-case UUIDs (Qontak) and plain indexes (a Konekwa journal) are stored
 * exactly as 16 bytes; any other id goes to a Map, so no two ids can ever be taken for one.
 * The ids sit densely in fixed-size chunks (17 bytes an entry, never copied when the table grows); an open-addressing
 * index of 4-byte entry numbers finds them. 100,000 ids take about 2.2 MB, where keeping the 16 bytes in the hash
 * slots themselves took 4.5 MB plus a 2.2 MB copy while growing.
 */
export class SeenIds {
  private readonly keyChunks: Uint32Array[] = [];
  // kind << 6 | (code + 1), per entry.
  private readonly metaChunks: Uint8Array[] = [];
  // Entry number + 1 per slot; 0 is an empty slot.
  private index = new Int32Array(1024);
  private used = 0;
  private readonly other = new Map<string, number>();
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.used + this.other.size;
  }

  get(id: string): number | undefined {
    const kind = this.encode(id);
    if (kind === 0) return this.other.get(id);
    const n = this.index[this.find(kind, this.index)]!;
    return n === 0 ? undefined : (this.metaChunks[(n - 1) >>> CHUNK_BITS]![(n - 1) & CHUNK_MASK]! & 63) - 1;
  }

  set(id: string, code: number): void {
    const kind = this.encode(id);
    if (kind === 0) {
      this.other.set(id, code);
      return;
    }
    let slot = this.find(kind, this.index);
    let n = this.index[slot]!;
    if (n === 0) {
      if ((this.used + 1) * 5 > this.index.length * 4) {
        this.grow();
        slot = this.find(kind, this.index);
      }
      const e = this.used++;
      if ((e & CHUNK_MASK) === 0) {
        this.keyChunks.push(new Uint32Array(CHUNK * 4));
        this.metaChunks.push(new Uint8Array(CHUNK));
      }
      this.keyChunks[e >>> CHUNK_BITS]!.set(this.key, (e & CHUNK_MASK) * 4);
      n = e + 1;
      this.index[slot] = n;
    }
    this.metaChunks[(n - 1) >>> CHUNK_BITS]![(n - 1) & CHUNK_MASK] = (kind << 6) | (code + 1);
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

  /** The slot of `index` holding this.key of this kind, or the empty slot where it would go (linear probing). */
  private find(kind: number, index: Int32Array): number {
    const k = this.key;
    const mask = index.length - 1;
    let h = Math.imul(k[0]! ^ Math.imul(k[1]!, 0x85ebca6b) ^ Math.imul(k[2]!, 0xc2b2ae35) ^ Math.imul(k[3]!, 0x27d4eb2f) ^ kind, 0x9e3779b1);
    h ^= h >>> 15;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const n = index[slot]!;
      if (n === 0) return slot;
      const e = n - 1;
      const keys = this.keyChunks[e >>> CHUNK_BITS]!;
      const at = (e & CHUNK_MASK) * 4;
      if (this.metaChunks[e >>> CHUNK_BITS]![e & CHUNK_MASK]! >> 6 === kind && keys[at] === k[0] && keys[at + 1] === k[1] && keys[at + 2] === k[2] && keys[at + 3] === k[3]) return slot;
    }
  }

  /** Doubles the index; the ids themselves stay where they are. */
  private grow(): void {
    const saved = Uint32Array.from(this.key);
    const index = new Int32Array(this.index.length * 2);
    for (let e = 0; e < this.used; e++) {
      this.key.set(this.keyChunks[e >>> CHUNK_BITS]!.subarray((e & CHUNK_MASK) * 4, (e & CHUNK_MASK) * 4 + 4));
      index[this.find(this.metaChunks[e >>> CHUNK_BITS]![e & CHUNK_MASK]! >> 6, index)] = e + 1;
    }
    this.index = index;
    this.key.set(saved);
  }
}

export async function followLog(o: FollowOptions): Promise<FollowResult> {
  const seen = new SeenIds();
  const summary = new DeliverySummary();
  let interval = o.intervalMs;
  const max = o.maxIntervalMs ?? Math.max(o.intervalMs, 60_000);
  let passes = 0;
  let changed = false;
  // Takes a page and returns only its cursor: no entry of a page is referenced from this async function across the
  // next await, so a collection during the next request finds the page dead and never promotes it.
  const take = (page: { entries: LogEntry[]; next: string | null }): string | null => {
    for (const e of page.entries) {
      const before = seen.get(e.id);
      const mark = markOf(e);
      if (before === undefined) {
        seen.set(e.id, mark);
        summary.add(e.status, e.error);
        o.onEvent({ kind: 'new', entry: e });
        changed = true;
        continue;
      }
      const [code, was] = [mark >> 3, before >> 3];
      // Statuses only move forward (an older status from a stale page is ignored); a run's word may change at one status.
      if (code > was || (code === was && (mark & 7) !== (before & 7))) {
        seen.set(e.id, mark);
        summary.move(CODES[was]!, e.status, e.error);
        // The word it had, when that is what changed.
        const fromState = (mark & 7) !== (before & 7) ? WORDS[(before & 7) - 1] : undefined;
        o.onEvent({ kind: 'change', entry: e, from: CODES[was]!, ...(fromState ? { fromState } : {}) });
        changed = true;
      }
    }
    return page.next;
  };
  for (;;) {
    changed = false;
    let cursor: string | null = null;
    for (;;) {
      if (o.signal.aborted) return { summary, passes, interrupted: true };
      let page: { entries: LogEntry[]; next: string | null };
      try {
        page = await o.fetchPage(cursor);
      } catch (err) {
        // Rate limited while following: wait as long as the server asked (never less than the interval), then go on.
        const asked = o.follow ? askedToWait(err) : undefined;
        if (asked === undefined || o.signal.aborted) throw err;
        const wait = Math.max(asked, o.intervalMs);
        o.onRateLimited?.(wait);
        await o.sleep(wait);
        continue;
      }
      cursor = take(page);
      if (cursor === null) break;
    }
    passes++;
    if (!o.follow) return { summary, passes, interrupted: false };
    if (o.untilDone && (o.ignorePending === true || summary.counts.pending === 0) && (await o.isDone())) return { summary, passes, interrupted: false };
    // Back off while nothing moves; come back to the set pace as soon as something does.
    interval = changed ? o.intervalMs : Math.min(max, Math.round(interval * 1.5));
    await o.sleep(interval);
    if (o.signal.aborted) return { summary, passes, interrupted: true };
  }
}
