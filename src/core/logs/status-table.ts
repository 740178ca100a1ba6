// What the follower remembers per entry: its id and a one-byte status code, nothing else.
// A Map from id to a small integer keeps V8 on its fast path (small integers are stored inline, no boxing); the
// entry objects and their names, phones and errors are dropped once printed. Kept behind a class so the
// representation can change (e.g. packed UUIDs) without touching the follower.
import { type LogStatus, statusCode, statusFromCode } from './entry.js';

export class StatusTable {
  private readonly codes = new Map<string, number>();

  get size(): number {
    return this.codes.size;
  }

  get(id: string): LogStatus | undefined {
    const c = this.codes.get(id);
    return c === undefined ? undefined : statusFromCode(c);
  }

  set(id: string, status: LogStatus): void {
    this.codes.set(id, statusCode(status));
  }
}
