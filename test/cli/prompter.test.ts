// Questions on a terminal: Ctrl-C is exit 130 with one calm line, end of input is "no", an empty required answer asks again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../helpers/cli.js';
import { sharedTestBed } from '../helpers/sandbox.js';

const bed = sharedTestBed();

/** A terminal session: each answer is typed once the question containing its `when` text is on screen. */
async function session(args: string[], env: Record<string, string>, script: { when: string; type?: string; end?: boolean }[]) {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let seen = '';
  let step = 0;
  stderr.on('data', (d: Buffer) => {
    seen += d.toString('utf8');
    // The prompt is drawn, then answered on the next turn so inquirer has attached to the input.
    while (step < script.length && seen.includes(script[step]!.when)) {
      const s = script[step++]!;
      setImmediate(() => (s.end ? stdin.end() : stdin.write(s.type ?? '')));
    }
  });
  const r = await runCli(args, { env, tty: true, init: { stdin, stderr } });
  return { ...r, stderr: seen, answered: step };
}

const orders = (): string => {
  const file = path.join(bed.dir, 'orders.csv');
  writeFileSync(file, 'phone_number,full_name,order_id\n0812-3456-7890,Budi Santoso,INV-1001\n');
  return file;
};
const send = () => ['broadcast', 'send', '--template', 'order_update', '--language', 'id', '--file', orders(), '--param', '1=full_name', '--param', '2=order_id'];
const posts = () => bed.sandbox.state.requests.filter((r) => r.method === 'POST').length;

test('Ctrl-C at the send confirmation: exit 130, one calm line, nothing sent', async () => {
  const before = posts();
  const r = await session(send(), bed.env('qontak-hmac'), [{ when: 'Send to 1 recipient(s)', type: '\u0003' }]);
  assert.equal(r.code, 130, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected failure|force closed|error:/);
  assert.match(r.stderr, /^Interrupted at the question; nothing was done\.$/m);
  assert.equal(posts(), before);
});

test('end of input at the send confirmation is "no": exit 1, "Not sent."', async () => {
  const before = posts();
  const r = await session(send(), bed.env('qontak-hmac'), [{ when: 'Send to 1 recipient(s)', end: true }]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Not sent\./);
  assert.equal(posts(), before);
});

test('auth login: an empty client id asks again; Ctrl-C at the secret exits 130 calmly', async () => {
  const r = await session(['auth', 'login', '--provider', 'qontak', '--method', 'hmac'], bed.env('qontak-hmac'), [
    { when: 'Mekari client id', type: '\r' },
    { when: 'You must provide a value', type: 'my-client\r' },
    { when: 'Mekari client secret', type: '\u0003' },
  ]);
  assert.equal(r.answered, 3, r.stderr);
  assert.equal(r.code, 130, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected failure|force closed/);
});

test('auth login: end of input at a question is no answer (exit 1), not a hang or success', async () => {
  const r = await session(['--no-color', 'auth', 'login', '--provider', 'qontak', '--method', 'hmac'], bed.env('qontak-hmac'), [{ when: 'Mekari client id', end: true }]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: No answer to "Mekari client id": the input ended\./);
});
