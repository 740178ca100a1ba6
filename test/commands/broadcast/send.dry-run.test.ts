// What a person sees before a send: the fan-out's expected duration at its rate, and the channel WA_CHANNEL names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { sharedTestBed } from '../../helpers/sandbox.js';
import { sendArgs, sheet } from '../../helpers/fanout.js';

const bed = sharedTestBed();

test('a fan-out dry run gives its expected duration at the chosen rate (text and --json)', async () => {
  const env = bed.env('konekwa');
  const args = sendArgs(sheet(bed, 30), ['--dry-run']).filter((a) => a !== '-y');
  const text = await runCli([...args, '--rate', '0.01/s'], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Duration: {5}about 50 m at 0\.01\/s \(--rate\)$/m);
  const json = await runCli(['--json', ...args], { env });
  const out = JSON.parse(json.stdout);
  assert.deepEqual([out.ratePerSecond, out.expectedSeconds], [1, 30], 'the default pace: one message a second');
  assert.equal(bed.sandbox.state.konekwa.order.length, 0, 'nothing was sent');
});

test('WA_CHANNEL chooses the channel when no --channel is given', async () => {
  const args = sendArgs(sheet(bed, 3), ['--dry-run']);
  const missing = await runCli(args, { env: bed.env('konekwa', { WA_CHANNEL: 'ses_nope' }) });
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /ses_nope/);
  const chosen = await runCli(['--json', ...args], { env: bed.env('konekwa', { WA_CHANNEL: 'ses_main01' }) });
  assert.deepEqual(JSON.parse(chosen.stdout).channels.map((c: { id: string }) => c.id), ['ses_main01']);
});
