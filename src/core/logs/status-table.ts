// What the follower remembers per entry: its id and a status code, nothing else.
// Qontak log ids are UUIDs: 36 characters of text, but only 16 bytes of information. They are packed into a
// 16-character one-byte string (a third less memory per entry at 100,000 entries); any other id is kept as given, in
// a map of its own so a packed key can never collide with an unpacked one. Status codes are small integers,
// which V8 stores inline in the map without boxing.
import { type LogStatus, statusCode, statusFromCode } from './entry.js';

/** The value of one hex digit, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 0x20; // A-F as a-f
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

const bytes = new Array<number>(16);

/** A UUID as 16 chars of 0..255, or undefined for any other id. Upper and lower case name the same UUID. */
export function packUuid(id: string): string | undefined {
  if (id.length !== 36) return undefined;
  let b = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return undefined; // '-'
      i++;
      continue;
    }
    const hi = nibble(id.charCodeAt(i));
    const lo = nibble(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return undefined;
    bytes[b++] = (hi << 4) | lo;
    i += 2;
  }
  // One call, so the key is one flat string (repeated += would leave a rope of 16 pieces in the map).
  return String.fromCharCode(...bytes);
}

export class StatusTable {
  private readonly packed = new Map<string, number>();
  private readonly other = new Map<string, number>();

  get size(): number {
    return this.packed.size + this.other.size;
  }

  get(id: string): LogStatus | undefined {
    const key = packUuid(id);
    const c = key === undefined ? this.other.get(id) : this.packed.get(key);
    return c === undefined ? undefined : statusFromCode(c);
  }

  set(id: string, status: LogStatus): void {
    const key = packUuid(id);
    if (key === undefined) this.other.set(id, statusCode(status));
    else this.packed.set(key, statusCode(status));
  }
}
