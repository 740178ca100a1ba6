// Paces requests: `ratePerSec` tokens a second, at most `burst` saved up. Takers are served one at a time in arrival
// order, so concurrency never raises the rate. On a 429 the rate is halved and nothing is taken until the server's
// Retry-After has passed; it then creeps back up by a tenth of the configured rate per quiet interval.

export type Clock = () => number;
/** Resolves after `ms`, or early when `signal` aborts (it may also reject then: both are handled). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TokenBucketOptions {
  ratePerSec: number;
  burst?: number;
  clock: Clock;
  sleep: Sleep;
  /** Never slow below this (default: a twentieth of the rate, at most 0.05/s). */
  minRatePerSec?: number;
  /** Quiet time after which the rate is raised one step back towards the configured one (default 10 s). */
  recoverEveryMs?: number;
}

export class TokenBucket {
  readonly baseRate: number;
  readonly burst: number;
  private readonly minRate: number;
  private readonly recoverEveryMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private current: number;
  private tokens: number;
  private last: number;
  private blockedUntil = 0;
  private lastChange: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(o: TokenBucketOptions) {
    if (!(o.ratePerSec > 0) || !Number.isFinite(o.ratePerSec)) throw new RangeError(`rate must be a positive number, got ${o.ratePerSec}`);
    const burst = o.burst ?? 1;
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.baseRate = o.ratePerSec;
    this.burst = burst;
    this.minRate = Math.min(o.minRatePerSec ?? Math.min(o.ratePerSec / 20, 0.05), o.ratePerSec);
    this.recoverEveryMs = o.recoverEveryMs ?? 10_000;
    this.clock = o.clock;
    this.sleep = o.sleep;
    this.current = o.ratePerSec;
    // Starts with one token, not a full burst: the first seconds of a run are not a flood.
    this.tokens = 1;
    this.last = o.clock();
    this.lastChange = this.last;
  }

  /** The rate in force now, in tokens per second. */
  get rate(): number {
    this.refill(this.clock());
    return this.current;
  }

  /** Waits for a token. Resolves false (taking nothing) when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<boolean> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The server said slow down: halve the rate and take nothing before `retryAfterMs` (or one new interval). */
  slowDown(retryAfterMs?: number): void {
    const now = this.clock();
    this.refill(now);
    this.current = Math.max(this.minRate, this.current / 2);
    this.tokens = Math.min(this.tokens, 0);
    const wait = retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : 1000 / this.current;
    this.blockedUntil = Math.max(this.blockedUntil, now + wait);
    this.lastChange = now;
  }

  private async waitForToken(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const now = this.clock();
      this.refill(now);
      let wait: number;
      if (now < this.blockedUntil) wait = this.blockedUntil - now;
      else if (this.tokens >= 1) {
        this.tokens -= 1;
        return true;
      } else wait = ((1 - this.tokens) / this.current) * 1000;
      try {
        await this.sleep(Math.max(1, Math.ceil(wait)), signal);
      } catch {
        if (signal?.aborted) return false;
        throw new Error('token bucket sleep failed');
      }
    }
  }

  private refill(now: number): void {
    if (this.current < this.baseRate && now >= this.blockedUntil) {
      const steps = Math.floor((now - this.lastChange) / this.recoverEveryMs);
      if (steps > 0) {
        this.accrue(Math.min(now, this.lastChange + steps * this.recoverEveryMs));
        this.current = Math.min(this.baseRate, this.current + (steps * this.baseRate) / 10);
        this.lastChange += steps * this.recoverEveryMs;
      }
    }
    this.accrue(now);
  }

  private accrue(now: number): void {
    if (now > this.last) {
      // Nothing accrues while blocked by a Retry-After: the wait is a pause, not savings for a burst afterwards.
      const from = Math.max(this.last, this.blockedUntil);
      if (now > from) this.tokens = Math.min(this.burst, this.tokens + ((now - from) * this.current) / 1000);
      this.last = now;
    }
  }
}

/** Real sleep for callers outside tests; resolves early (does not reject) on abort. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export const DEFAULT_RATE_PER_SEC = 1;
export const DEFAULT_BURST = 1;
export const DEFAULT_CONCURRENCY = 2;
