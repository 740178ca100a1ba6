// Has this idempotency key been used? The local ledger answers first; for Qontak list sends the account answers too,
// because the key is written into the broadcast name, so a fresh machine (a CI runner) still finds it.
import path from 'node:path';
import type { BroadcastSummary, Provider } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from './ledger.js';

export type KeyUse = { where: 'ledger'; record: LedgerRecord } | { where: 'account'; broadcast: BroadcastSummary };

export async function findKeyUse(ledger: Ledger, provider: Provider, key: string, searchAccount: boolean): Promise<KeyUse | undefined> {
  const record = await ledger.find(key);
  // A send the server certainly refused frees its key; anything else (done, started, unknown) holds it.
  if (record && record.status !== 'failed') return { where: 'ledger', record };
  if (searchAccount) {
    for await (const b of provider.listBroadcasts({ query: key, max: 5 })) if (b.name.includes(key)) return { where: 'account', broadcast: b };
  }
  return undefined;
}

export function lockFile(stateDir: string, key: string): string {
  return path.join(stateDir, 'locks', `${key}.lock`);
}
