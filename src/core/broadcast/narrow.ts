// Who of the audience this send leaves out before any check: numbers on the opt-out list, and with --shard I/N the
// recipients of the other shards. Both apply to dry runs too, so what a dry run shows is what a send does.
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { Env } from '../../env.js';
import type { ContactReport } from '../contacts/index.js';
import type { Contact } from './mapping.js';

/** The part of an audience that narrowing changes (prepare's Audience has this shape). */
interface Narrowable {
  contacts: () => Iterable<Contact>;
  report?: ContactReport;
}

export interface Shard {
  index: number;
  total: number;
}

/**
 * "2/4" → the 2nd of 4 shards. "auto" takes the shard from the scheduler: the index from JOB_COMPLETION_INDEX (a
 * Kubernetes Indexed Job's, 0-based) and the count from WA_SHARD_COUNT, or from "auto/N".
 */
export function parseShard(text: string, env: Env = {}): Shard {
  const auto = /^auto(?:\/(.*))?$/.exec(text.trim());
  if (auto) return autoShard(text, auto[1], env);
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) throw new UsageError(`--shard ${text}: write I/N with 1 ≤ I ≤ N, e.g. --shard 1/4, or auto.`);
  return { index, total };
}

const wholeNumber = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);

function autoShard(text: string, given: string | undefined, env: Env): Shard {
  const countText = given ?? env.WA_SHARD_COUNT;
  const total = wholeNumber(countText);
  if (countText === undefined || countText === '') {
    throw new UsageError(`--shard ${text}: the number of shards is missing; set WA_SHARD_COUNT (e.g. WA_SHARD_COUNT=4) or write --shard auto/4.`);
  }
  if (total === undefined || total < 1) throw new UsageError(`--shard ${text}: the number of shards ${given !== undefined ? `"${given}"` : `in WA_SHARD_COUNT ("${countText}")`} is not a whole number of 1 or more.`);
  const indexText = env.JOB_COMPLETION_INDEX;
  if (indexText === undefined || indexText === '') {
    throw new UsageError(`--shard ${text}: JOB_COMPLETION_INDEX is not set; it comes from a Kubernetes Indexed Job (0-based). Elsewhere set it yourself, or write --shard I/N.`);
  }
  const zeroBased = wholeNumber(indexText);
  if (zeroBased === undefined || zeroBased >= total) {
    throw new UsageError(`--shard ${text}: JOB_COMPLETION_INDEX is "${indexText}"; with ${total} shard(s) it must be 0 to ${total - 1}.`);
  }
  return { index: zeroBased + 1, total };
}

/** The shard (1-based) a normalised number falls in: the first 32 bits of its SHA-256, modulo N. Stable across machines. */
export function shardOf(phone: string, total: number): number {
  return (createHash('sha256').update(phone).digest().readUInt32BE(0) % total) + 1;
}

export interface Narrowed {
  optedOut: { row: number; phone: string }[];
  /** Recipients that belong to the other shards. */
  otherShards: number;
}

/** One contact at a time: whether it stays, with the left-out ones counted. */
export class Narrower implements Narrowed {
  readonly optedOut: { row: number; phone: string }[] = [];
  otherShards = 0;
  constructor(
    private readonly suppressed: ReadonlySet<string>,
    private readonly shard: Shard | undefined,
  ) {}

  keeps(c: Contact): boolean {
    if (this.suppressed.has(c.phone)) this.optedOut.push({ row: c.row, phone: c.phone });
    else if (this.shard && shardOf(c.phone, this.shard.total) !== this.shard.index) this.otherShards++;
    else return true;
    return false;
  }
}

/** Filters the audience in place (its contacts and, for a spreadsheet, the rows a Qontak upload would hold). */
export function narrowAudience(audience: Narrowable, suppressed: ReadonlySet<string>, shard: Shard | undefined): Narrowed {
  const narrower = new Narrower(suppressed, shard);
  const keep = new Set<number>();
  for (const c of audience.contacts()) if (narrower.keeps(c)) keep.add(c.row);
  const { optedOut, otherShards } = narrower;
  if (optedOut.length === 0 && otherShards === 0) return { optedOut, otherShards };
  const all = audience.contacts;
  audience.contacts = function* () {
    for (const c of all()) if (keep.has(c.row)) yield c;
  };
  if (audience.report) audience.report = { ...audience.report, valid: audience.report.valid.filter((c) => keep.has(c.rowNumber)) };
  return { optedOut, otherShards };
}
