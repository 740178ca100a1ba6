// Runs one batch of keychain operations in its own process. A keyring locked behind a display prompt can block the
// native call indefinitely; in a child process the parent can abandon it (kill) when its time is up.
import { Entry } from '@napi-rs/keyring';

export interface KeychainOp {
  op: 'get' | 'set' | 'delete';
  account: string;
  secret?: string;
}
export type KeychainOpResult = { ok: true; value?: string | null; deleted?: boolean } | { ok: false; error: string };

const SERVICE = 'wa-cli';

function run(op: KeychainOp): KeychainOpResult {
  try {
    const entry = new Entry(SERVICE, op.account, { linux: { store: 'secret-service' } });
    if (op.op === 'get') return { ok: true, value: entry.getPassword() ?? null };
    if (op.op === 'set') {
      entry.setPassword(op.secret ?? '');
      return { ok: true };
    }
    return { ok: true, deleted: entry.deleteCredential() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => {
  const ops = JSON.parse(input) as KeychainOp[];
  process.stdout.write(JSON.stringify(ops.map(run)));
});
