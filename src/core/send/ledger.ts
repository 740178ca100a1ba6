// The idempotency ledger: which send keys have been used, when, and what they sent. Append-only JSON Lines, synced
// to disk before a send starts, so a crash never forgets a key that may have sent something.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface LedgerRecord {
  key: string;
  at: string;
  /** failed: the server certainly did nothing. unknown: it may have acted (a timeout, a dropped connection). */
  status: 'started' | 'done' | 'failed' | 'unknown';
  provider: string;
  template: string;
  target: string;
  recipients: number;
  runId?: string;
  broadcastId?: string;
  detail?: string;
}

/**
 * The default idempotency key: "wa-" and the first 16 hex digits of the SHA-256 of the canonical JSON of
 * {provider, template id, language, target, params} (and the shard, when given). The same template to the same list, file content or number with
 * the same parameters gets the same key, so a cron job that runs twice is refused the second time.
 */
export function defaultIdempotencyKey(parts: { provider: string; templateId: string; language: string; target: string; params: Record<string, string>; shard?: string }): string {
  // The shard joins the canonical form only when given, so keys of unsharded sends stay what they were.
  const canonical = JSON.stringify([parts.provider, parts.templateId, parts.language, parts.target, Object.entries(parts.params).sort(([a], [b]) => a.localeCompare(b)), ...(parts.shard ? [parts.shard] : [])]);
  return `wa-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

export class Ledger {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'ledger.jsonl');
  }

  /** The latest record of a key, or undefined. */
  async find(key: string): Promise<LedgerRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let found: LedgerRecord | undefined;
    for (const line of text.split('\n')) {
      if (!line.includes(key)) continue;
      try {
        const r = JSON.parse(line) as LedgerRecord;
        if (r.key === key) found = r;
      } catch {
        // A torn last line after a crash: the record before it stands.
      }
    }
    return found;
  }

  async record(r: LedgerRecord): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const h = await open(this.file, 'a', 0o600);
    try {
      await h.write(`${JSON.stringify(r)}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
  }
}
