// The idempotency ledger: which send keys have been used, when, and what they sent. Append-only JSON Lines, synced
// to disk before a send starts, so a crash never forgets a key that may have sent something.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '../../errors.js';
import { withPath, writeAll } from '../../util/atomic-file.js';
import { listRuns } from './listing.js';
import { ledgerFile } from './paths.js';

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
  constructor(readonly stateDir: string) {
    this.file = ledgerFile(stateDir);
  }

  /**
   * The latest record of a key, or undefined. A key the ledger does not know but a fan-out run folder carries counts
   * as used too: a deleted or older ledger must never make a run that may have sent look unused.
   */
  async find(key: string): Promise<LedgerRecord | undefined> {
    return (await this.findInLedger(key)) ?? (await runRecord(this.stateDir, key));
  }

  private async findInLedger(key: string): Promise<LedgerRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let found: LedgerRecord | undefined;
    const lines = text.split('\n');
    // The piece after the last newline is empty or a write cut by a crash before its sync (so before its send).
    const whole = lines.length - 1;
    for (let n = 0; n < whole; n++) {
      const line = lines[n]!;
      if (!line.trim()) continue;
      let r: LedgerRecord;
      try {
        r = JSON.parse(line) as LedgerRecord;
        if (typeof r?.key !== 'string' || typeof r.status !== 'string') throw new Error('not a ledger record');
      } catch (err) {
        // Our own appends never leave a damaged line before a whole one: someone edited or damaged the file, and a
        // record it hid could be the one that says a key was used.
        throw new OperationError(`${this.file} line ${n + 1} cannot be read (${err instanceof Error ? err.message : String(err)}).`, {
          hint: 'Repair or delete that line; the keys of fan-out runs are also kept in their run folders.',
        });
      }
      if (r.key === key) found = r;
    }
    return found;
  }

  async record(r: LedgerRecord): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const h = await open(this.file, 'a+', 0o600);
    try {
      await dropTornTail(h);
      // Every byte or an error: a record cut short would read as a crash's torn line, and its key as unused.
      await writeAll(h, `${JSON.stringify(r)}\n`);
      await h.sync();
    } catch (err) {
      throw withPath(err, this.file);
    } finally {
      await h.close();
    }
  }
}

/** A record made from the run folder that carries the key (the newest one), if any. */
async function runRecord(stateDir: string, key: string): Promise<LedgerRecord | undefined> {
  const run = (await listRuns(stateDir)).find((h) => h.idempotencyKey === key);
  if (!run) return undefined;
  return {
    key,
    at: run.createdAt,
    // Its plan was written before its first send; whether it finished only its journal can tell.
    status: 'started',
    provider: run.provider,
    template: run.templateName,
    target: `run:${run.runId}`,
    recipients: run.total,
    runId: run.runId,
    detail: 'not in the ledger; found in its run folder',
  };
}

/** Cuts a last line left without its newline by a crash, so the next record starts on a line of its own. */
async function dropTornTail(h: FileHandle): Promise<void> {
  const { size } = await h.stat();
  if (size === 0) return;
  const chunk = 64 * 1024;
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await h.read(buf, 0, buf.length, start);
    if (end === size && buf[buf.length - 1] === 0x0a) return;
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      await h.truncate(start + nl + 1);
      return;
    }
    end = start;
  }
  await h.truncate(0);
}
