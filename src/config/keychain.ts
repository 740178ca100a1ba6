// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), reached through a child
// process with a hard time limit so that a missing or locked keyring ends in a clear message, never a hang.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Env } from '../env.js';
import type { KeychainOp, KeychainOpResult } from './keychain-worker.js';

export const KEYCHAIN_SERVICE = 'wa-cli';
const WORKER = fileURLToPath(new URL('./keychain-worker.js', import.meta.url));

export class KeychainUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the OS keychain is not available (${reason})`);
    this.name = 'KeychainUnavailableError';
  }
}

export interface KeychainOptions {
  env: Env;
  timeoutMs?: number;
}

export class Keychain {
  private readonly timeoutMs: number;
  constructor(private readonly opts: KeychainOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
  }

  async get(account: string): Promise<string | null> {
    return (await this.getMany([account]))[0] ?? null;
  }

  async getMany(accounts: readonly string[]): Promise<(string | null)[]> {
    const results = await this.batch(accounts.map((account) => ({ op: 'get', account })));
    return results.map((r) => (r.ok ? (r.value ?? null) : null));
  }

  async set(account: string, secret: string): Promise<void> {
    await this.batch([{ op: 'set', account, secret }]);
  }

  async delete(account: string): Promise<boolean> {
    const [r] = await this.batch([{ op: 'delete', account }]);
    return r?.ok === true && r.deleted === true;
  }

  /** Runs the operations in one child process; any failure of the store itself becomes KeychainUnavailableError. */
  private batch(ops: KeychainOp[]): Promise<KeychainOpResult[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [WORKER], {
        env: this.opts.env as NodeJS.ProcessEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => reject(new KeychainUnavailableError(`no answer within ${this.timeoutMs / 1000} s; is it locked?`)));
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', (e) => finish(() => reject(new KeychainUnavailableError(e.message))));
      child.on('close', () =>
        finish(() => {
          let results: KeychainOpResult[];
          try {
            results = JSON.parse(out) as KeychainOpResult[];
          } catch {
            return reject(new KeychainUnavailableError(firstLine(err) || 'the keychain helper failed'));
          }
          const failed = results.find((r): r is { ok: false; error: string } => !r.ok);
          if (failed) return reject(new KeychainUnavailableError(firstLine(failed.error)));
          resolve(results);
        }),
      );
      child.stdin.end(JSON.stringify(ops));
    });
  }
}

const firstLine = (s: string): string => s.trim().split('\n')[0]?.slice(0, 200) ?? '';
