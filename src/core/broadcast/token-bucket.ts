// Paces sends: at most `rate` per second, with room for `burst` only once tokens have built up (it absorbs timer
// lateness). The bucket starts with one token, not full: the first message goes at once and the second a whole
// interval later, so a gateway that bans floods never sees two at the start. Slows down when the server says 429 and
// creeps back up once it is quiet again.
export class TokenBucket {
  private tokens: number;
  private last: number;
  private current: number;
  private successesSinceSlowdown = 0;
  private pausedUntil = 0;

  constructor(
    private readonly target: number,
    private readonly burst: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.current = target;
    this.tokens = Math.min(1, burst);
    this.last = now();
  }

  get rate(): number {
    return this.current;
  }

  /** Waits until a send may start. */
  async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.current);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.current) * 1000));
    }
  }

  /** The server refused for rate: halve the pace and pause as long as it asked. */
  slowDown(retryAfterMs: number | undefined): void {
    this.current = Math.max(this.target / 16, this.current / 2);
    this.tokens = 0;
    this.successesSinceSlowdown = 0;
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + (retryAfterMs ?? 1000));
  }

  /** After a quiet stretch, go back towards the target pace. */
  succeeded(): void {
    if (this.current >= this.target) return;
    if (++this.successesSinceSlowdown >= 20) {
      this.current = Math.min(this.target, this.current * 1.25);
      this.successesSinceSlowdown = 0;
    }
  }
}
