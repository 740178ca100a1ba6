// The opt-out list: numbers of people who asked not to be messaged, per profile, with when and why. Every send reads
// it and skips them. One JSON file beside the ledger, rewritten atomically (0600) under a lock so two writers
// (a sync from cron and a person adding a number) never lose each other's change.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InputError } from '../../errors.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { acquireLock, LockHeldError } from '../runs/lock.js';

export type OptOutSource = 'manual' | 'import' | 'sync';

export interface OptOut {
  /** Digits with the country code, as the phone normaliser writes them. */
  phone: string;
  at: string;
  reason: string;
  source: OptOutSource;
}

/** Where `optout sync` got to: the newest created_at seen, and the ids seen near it (timestamps are whole seconds). */
export interface SyncCursor {
  since: string;
  seen: string[];
}

export interface OptOutData {
  version: 1;
  entries: OptOut[];
  sync?: SyncCursor;
}

export class OptOutList {
  readonly file: string;
  constructor(
    stateDir: string,
    profile: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(stateDir, 'optout', `${encodeURIComponent(profile)}.json`);
  }

  async load(): Promise<OptOutData> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: [] };
      throw err;
    }
    let data: Partial<OptOutData>;
    try {
      data = JSON.parse(text) as Partial<OptOutData>;
    } catch {
      throw new InputError(`${this.file} is not valid JSON; restore it from a backup or \`wa-cli optout export\` of another machine.`);
    }
    if (data.version !== 1 || !Array.isArray(data.entries)) throw new InputError(`${this.file} has an unknown format (version ${String(data.version)}); this wa-cli reads version 1.`);
    return data as OptOutData;
  }

  /** The suppressed numbers, for a send. */
  async numbers(): Promise<Set<string>> {
    return new Set((await this.load()).entries.map((e) => e.phone));
  }

  /** Reads, changes and writes the list while holding its lock. */
  async update<T>(change: (data: OptOutData) => T | Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await acquireLock(`${this.file}.lock`, this.now);
    } catch (err) {
      if (err instanceof LockHeldError) throw new ConflictError(`The opt-out list is being changed by pid ${err.holder.pid} on ${err.holder.host} since ${err.holder.startedAt}; try again when it ends.`);
      throw err;
    }
    try {
      const data = await this.load();
      const result = await change(data);
      await writeFileAtomic(this.file, `${JSON.stringify(data, null, 1)}\n`);
      return result;
    } finally {
      await release();
    }
  }

  /** Adds numbers not yet on the list; returns those added (a number already there keeps its first date and reason). */
  async add(items: { phone: string; reason: string; source: OptOutSource }[]): Promise<OptOut[]> {
    return this.update((data) => addTo(data, items, new Date(this.now()).toISOString()));
  }

  async remove(phones: string[]): Promise<string[]> {
    return this.update((data) => {
      const gone = new Set(phones);
      const removed = data.entries.filter((e) => gone.has(e.phone)).map((e) => e.phone);
      data.entries = data.entries.filter((e) => !gone.has(e.phone));
      return removed;
    });
  }
}

export function addTo(data: OptOutData, items: { phone: string; reason: string; source: OptOutSource }[], at: string): OptOut[] {
  const have = new Set(data.entries.map((e) => e.phone));
  const added: OptOut[] = [];
  for (const i of items) {
    if (have.has(i.phone)) continue;
    have.add(i.phone);
    const e: OptOut = { phone: i.phone, at, reason: i.reason, source: i.source };
    data.entries.push(e);
    added.push(e);
  }
  return added;
}
