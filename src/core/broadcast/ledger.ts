// The idempotency ledger: which keys were used, when, by which run, for what. It is `<stateDir>/ledger.jsonl`, an
// append-only file (0600) with one JSON line per change. Appending one line in a single O_APPEND write means two
// processes updating different keys at once cannot lose each other's update (a rewritten JSON file could); a line
// torn by a crash is skipped on reading.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type LedgerStatus = 'started' | 'done' | 'failed' | 'unknown';

export interface LedgerRecord {
  runId: string;
  broadcastId?: string;
  /** ISO 8601 time of this change. */
  at: string;
  template: string;
  target: string;
  recipients: number;
  status: LedgerStatus;
}

export interface LedgerEntry extends LedgerRecord {
  key: string;
  /** When the key was first recorded: "the first send was on …". */
  firstAt: string;
}

export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
  constructor(readonly entry: LedgerEntry) {
    super(
      `Idempotency key ${entry.key} was already used on ${entry.firstAt} by run ${entry.runId}: template ${entry.template} ` +
        `to ${entry.target}, ${entry.recipients} recipient(s), ${entry.status}. ` +
        (entry.status === 'done'
          ? 'Pass a different --idempotency-key to send it again on purpose.'
          : `Continue it with --resume ${entry.runId}, or pass a different --idempotency-key.`),
    );
  }
}

export interface DefaultKeyInput {
  provider: string;
  template: string;
  language?: string;
  /** What is sent to: "list:<id>", "file:<sha256 of the file's bytes>" (see fileTarget) or "phone:<E.164 digits>". */
  target: string;
  /** Parameter mapping as given (KEY → COLUMN or :literal). Key order does not matter. */
  params: Record<string, string>;
}

/**
 * The key used when --idempotency-key is not given: "wa-" followed by the first 16 hex digits of the SHA-256 of the
 * canonical JSON (keys sorted, no spaces) of {v:1, provider, template, language, target, params}. The same template,
 * language, target and parameters give the same key on any machine and any day, so a cron job that fires twice is
 * refused; a campaign meant to repeat (same list every week) passes its own key, e.g. "promo-2024-W27".
 */
export function defaultIdempotencyKey(k: DefaultKeyInput): string {
  const canonical = canonicalJson({
    v: 1,
    provider: k.provider,
    template: k.template,
    language: k.language ?? '',
    target: k.target,
    params: k.params,
  });
  return 'wa-' + createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
}

/** Target string for a recipients file: its content hash, so a renamed copy is the same target and an edit is not. */
export function fileTarget(content: Uint8Array): string {
  return 'file:' + createHash('sha256').update(content).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k]))
      .join(',') +
    '}'
  );
}

export const ledgerPath = (stateDir: string): string => path.join(stateDir, 'ledger.jsonl');

export class Ledger {
  constructor(readonly path: string) {}

  /** The latest state of `key`, with the time it was first recorded; undefined if never used. */
  async find(key: string): Promise<LedgerEntry | undefined> {
    let found: LedgerEntry | undefined;
    for await (const line of this.lines()) {
      if (line.key !== key) continue;
      const { key: _k, ...rec } = line;
      found = { ...rec, key, firstAt: found?.firstAt ?? rec.at };
    }
    return found;
  }

  /** Throws IdempotencyConflictError when `key` was used before, whatever became of that run. */
  async assertUnused(key: string): Promise<void> {
    const e = await this.find(key);
    if (e) throw new IdempotencyConflictError(e);
  }

  /** Appends one change for `key`, durably. */
  async record(key: string, rec: LedgerRecord): Promise<void> {
    if (!key || /[\r\n]/.test(key)) throw new RangeError(`idempotency key ${JSON.stringify(key)} is empty or has a line break`);
    await mkdir(path.dirname(this.path), { recursive: true, mode: 0o700 });
    const fh = await open(this.path, 'a', 0o600);
    try {
      // A previous crash may have left a torn last line: start on a fresh line so this one stays readable.
      const size = (await fh.stat()).size;
      let lead = '';
      if (size > 0) {
        const b = Buffer.alloc(1);
        const rh = await open(this.path, 'r');
        try {
          await rh.read(b, 0, 1, size - 1);
        } finally {
          await rh.close();
        }
        if (b[0] !== 0x0a) lead = '\n';
      }
      await fh.write(lead + JSON.stringify({ key, ...rec }) + '\n');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  private async *lines(): AsyncGenerator<LedgerRecord & { key: string }> {
    const exists = await stat(this.path).then(
      () => true,
      (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
    );
    if (!exists) return;
    const rl = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line) continue;
      try {
        const v = JSON.parse(line) as LedgerRecord & { key: string };
        if (v && typeof v.key === 'string' && typeof v.runId === 'string') yield v;
      } catch {
        // A line torn by a crash: that change was never acknowledged.
      }
    }
  }
}

export const openLedger = (stateDir: string): Ledger => new Ledger(ledgerPath(stateDir));
