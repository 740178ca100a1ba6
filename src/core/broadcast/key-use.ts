// Has this idempotency key been used? The local ledger answers first; for Qontak list sends the account answers too,
// because the key is written first in the broadcast name, so a fresh machine (a CI runner) still finds it.
// The account is searched by listing the broadcasts created since a bounded date and comparing names here: the
// server's `query` search has undocumented matching, and a name's length limit is undocumented too, so the key goes
// first where a truncation cannot reach it.
import type { BroadcastSummary, BroadcastsPort, Provider } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from '../runs/ledger.js';

export type KeyUse = { where: 'ledger'; record: LedgerRecord } | { where: 'account'; broadcast: BroadcastSummary };

/** How far back the account is searched by default: a key is a guard against re-runs, not against last year. */
export const KEY_WINDOW_DAYS = 30;
/**
 * How long after a send left unknown its absence from the account is taken to mean it did not go out: the server may
 * list a broadcast a little after it made it [inferred: no document says how soon].
 */
export const SETTLE_MS = 5 * 60_000;
/** Longest name wa-cli gives a broadcast; the key always survives, the user's part is shortened. */
export const MAX_NAME = 64;

/** "[wa-0123456789abcdef] nov-promo": the key first, the name after, cut to MAX_NAME characters. */
export function broadcastName(key: string, name: string): string {
  const head = `[${key}]`;
  const rest = name.trim();
  if (!rest) return head;
  const room = MAX_NAME - head.length - 1;
  return `${head} ${[...rest].length > room ? `${[...rest].slice(0, Math.max(0, room - 1)).join('')}…` : rest}`;
}

/** The key a broadcast name carries: first in brackets, or (names from wa-cli 0.1) in brackets at the end. */
export function keyInName(name: string): string | undefined {
  return /^\[([^\]\s]+)\]/.exec(name)?.[1] ?? /\s\[([^\]\s]+)\]$/.exec(name)?.[1];
}

export interface AccountSearch {
  now: () => number;
  /** Search broadcasts created since this many days ago (default KEY_WINDOW_DAYS). */
  windowDays?: number;
}

export async function findKeyUse(ledger: Ledger, provider: Provider, key: string, searchAccount: boolean, account?: AccountSearch): Promise<KeyUse | undefined> {
  const record = await ledger.find(key);
  // A send the server certainly refused frees its key; anything else (done, started, unknown) holds it.
  if (record && record.status !== 'failed') return { where: 'ledger', record };
  if (searchAccount) {
    const broadcast = provider.broadcasts && (await findKeyOnAccount(provider.broadcasts, key, account ?? { now: Date.now }));
    if (broadcast) return { where: 'account', broadcast };
  }
  return undefined;
}

/** The broadcast on the account whose name carries `key`, among those created within the window. */
export async function findKeyOnAccount(broadcasts: Pick<BroadcastsPort, 'list'>, key: string, account: AccountSearch): Promise<BroadcastSummary | undefined> {
  const since = new Date(account.now() - (account.windowDays ?? KEY_WINDOW_DAYS) * 86_400_000).toISOString();
  for await (const b of broadcasts.list({ since })) if (keyInName(b.name) === key) return b;
  return undefined;
}
