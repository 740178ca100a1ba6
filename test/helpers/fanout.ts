// Shared by the send tests and scenarios: a contacts sheet, the send command, a child process killed mid-way, and the
// sandbox's own count of what it accepted per recipient.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';
import type { TestBed } from './sandbox.js';

export const bin = path.join(repoRoot, 'bin', 'wa-cli.js');

export function sheet(bed: TestBed, n: number, prefix = '0814'): string {
  const file = path.join(bed.dir, `contacts-${prefix}-${n}.csv`);
  const lines = ['phone_number,full_name,company'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${String(i).padStart(8, '0')},Pelanggan ${i},Acme ${i % 3}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A sheet as Excel writes it (CRLF), `n` rows of 0812… numbers of one company, named `name` in the bed's folder. */
export function crlfSheet(bed: TestBed, n: number, name = 'contacts.csv'): string {
  const file = path.join(bed.dir, name);
  const lines = ['phone_number,full_name,company'];
  for (let i = 0; i < n; i++) lines.push(`0812${String(i).padStart(8, '0')},Pelanggan ${i},Acme`);
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

export const sendArgs = (file: string, extra: string[] = []): string[] => ['-y', 'broadcast', 'send', '--template', 'promo_nov', '--file', file, '--param', 'name=full_name', ...extra];

export function exactlyOnce(bed: TestBed, n: number): void {
  const sends = bed.sandbox.state.sendsByRecipient;
  assert.deepEqual([...sends].filter(([, c]) => c !== 1), [], 'no recipient sent twice');
  assert.equal(sends.size, n, 'every recipient sent');
}

export const waitFor = async (cond: () => boolean, ms = 20_000): Promise<void> => {
  for (let waited = 0; waited < ms && !cond(); waited += 25) await new Promise((r) => setTimeout(r, 25));
};

/** Runs wa-cli as a child and sends it `signal` once the sandbox accepted `after` messages (unless it ended first). */
export async function signalAt(bed: TestBed, args: string[], env: Record<string, string>, after: number, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, sig) => ((done = true), r({ code, signal: sig }))));
  await waitFor(() => done || bed.sandbox.state.konekwa.order.length >= after);
  if (!done) child.kill(signal);
  return { ...(await exited), stderr };
}

export function onlyRun(bed: TestBed): string {
  const runs = readdirSync(path.join(bed.dir, 'state', 'runs'));
  assert.equal(runs.length, 1);
  return path.join(bed.dir, 'state', 'runs', runs[0]!);
}
