// Faults the tests switch on: latency, 5xx, 429 in its three forms (before or after the server acted), dropped
// connections before or after the server acted, a proxy's 429 after the server acted, broken bodies, HTML from a proxy,
// a wrong content type, a header Node's parser rejects.
export type FaultKind =
  | { kind: 'latency'; ms: number }
  // `after`: the server does the work first, then answers with this (a proxy or gateway that answers after processing).
  | { kind: 'status'; status: 500 | 502 | 503 | 504 | (number & {}); body?: unknown; after?: boolean }
  | { kind: 'rate-limit'; form: 'retry-after' | 'x-ratelimit-reset' | 'body'; seconds?: number; after?: boolean }
  | { kind: 'drop-before' }
  | { kind: 'drop-after' }
  /** The server acts, then something in front of it answers 429 in its own words (not the API's error body). */
  | { kind: 'rate-limit-after' }
  | { kind: 'malformed-json' }
  | { kind: 'truncated-json' }
  | { kind: 'html' }
  | { kind: 'wrong-content-type' }
  | { kind: 'bad-header' };

export interface FaultMatch {
  method?: string;
  path?: string | RegExp;
  /** The token endpoint (`POST /oauth/token`) is only hit by rules that name `api: 'oauth'`. */
  api?: 'qontak' | 'konekwa' | 'oauth';
}

export type FaultRule = FaultKind & {
  match?: FaultMatch;
  /** How many requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Applies to this share of matching requests instead (seeded). */
  probability?: number;
};

export interface FaultLog {
  kind: FaultKind['kind'];
  method: string;
  path: string;
}

export class FaultController {
  private rules: (FaultRule & { left: number })[] = [];
  readonly fired: FaultLog[] = [];
  constructor(private readonly random: () => number) {}

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? (rule.probability !== undefined ? Infinity : 1) });
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still able to fire. */
  get pending(): number {
    return this.rules.filter((r) => r.left > 0).length;
  }

  /** The fault for this request, if any; consumes one use of it. */
  take(method: string, path: string, api: 'qontak' | 'konekwa' | 'oauth'): FaultKind | undefined {
    for (const r of this.rules) {
      if (r.left <= 0) continue;
      const m = r.match ?? {};
      if (m.method && m.method.toUpperCase() !== method) continue;
      if ((m.api ?? 'any') !== api && (m.api !== undefined || api === 'oauth')) continue;
      if (m.path && !(typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path))) continue;
      if (r.probability !== undefined && this.random() >= r.probability) continue;
      r.left--;
      this.fired.push({ kind: r.kind, method, path });
      return r;
    }
    return undefined;
  }
}
