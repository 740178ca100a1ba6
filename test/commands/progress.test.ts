// Off a terminal, long work prints its progress to stderr at a steady interval (cron logs show it is alive); -q not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';

let bed: TestBed;
// Processing takes 2 s and progress lines come every 0.1 s, so several fall inside it however slow the machine.
before(async () => (bed = await testBed({ listProcessingMs: 2000 })));
after(() => bed.close());

test('contacts upload off a terminal prints "Processing…" lines on stderr while the server works; -q prints none', async () => {
  const file = path.join(bed.dir, 'c.csv');
  writeFileSync(file, 'phone_number,full_name\r\n0812-3456-7890,Budi\r\n');
  const env = bed.env('qontak-hmac', { WA_PROGRESS_INTERVAL: '0.1' });
  const r = await runCli(['contacts', 'upload', file, '--name', 'progress-a'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Processing "progress-a"/m);
  const q = await runCli(['-q', 'contacts', 'upload', file, '--name', 'progress-b'], { env });
  assert.equal(q.code, 0, q.stderr);
  assert.doesNotMatch(q.stderr, /Processing/);
});
