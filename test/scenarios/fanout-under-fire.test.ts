// Lost or damaged state is never a reason to send twice; Ctrl-C lets requests in flight finish. Real processes, real
// HTTP on 127.0.0.1, the sandbox counting what it accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { exactlyOnce, onlyRun, sendArgs, sheet, signalAt } from '../helpers/fanout.js';

const damages: { what: string; damage: (runDir: string, stateDir: string) => void }[] = [
  { what: 'a deleted journal', damage: (run) => rmSync(path.join(run, 'journal.jsonl')) },
  { what: 'an emptied journal', damage: (run) => writeFileSync(path.join(run, 'journal.jsonl'), '') },
  { what: 'a journal cut in half', damage: (run) => {
    const lines = readFileSync(path.join(run, 'journal.jsonl'), 'utf8').split('\n');
    writeFileSync(path.join(run, 'journal.jsonl'), `${lines.slice(0, Math.floor(lines.length / 2)).join('\n')}\n`);
  } },
  { what: 'garbled bytes in the journal', damage: (run) => {
    const text = readFileSync(path.join(run, 'journal.jsonl'), 'utf8');
    writeFileSync(path.join(run, 'journal.jsonl'), `${text.slice(0, 200)}\u0000\u00ff garbage \u0000${text.slice(600)}`);
  } },
  { what: 'a deleted ledger', damage: (_run, state) => rmSync(path.join(state, 'ledger.jsonl')) },
];

for (const { what, damage } of damages) {
  test(`killed mid-way, then ${what}: the same command sends everyone exactly once`, async () => {
    const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
    try {
      const n = 60;
      const env = bed.env('konekwa');
      const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '4', '--settle', '4s']);
      const killed = await signalAt(bed, args, env, 25, 'SIGKILL');
      assert.equal(killed.signal, 'SIGKILL');
      damage(onlyRun(bed), path.join(bed.dir, 'state'));
      const r = await runCli([...args, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).sent, n);
      exactlyOnce(bed, n);
    } finally {
      await bed.close();
    }
  });
}

test('a plan cut at a line boundary: refused with the file named, nothing more sent', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, 60), ['--rate', '100/s']);
    await signalAt(bed, args, env, 20, 'SIGKILL');
    const plan = path.join(onlyRun(bed), 'plan.jsonl');
    const lines = readFileSync(plan, 'utf8').split('\n');
    writeFileSync(plan, `${lines.slice(0, 30).join('\n')}\n`);
    const sent = bed.sandbox.state.konekwa.order.length;
    const r = await runCli(args, { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /plan\.jsonl: it holds 29 of 60 recipients/);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:')).length, 1, 'one line');
    assert.equal(bed.sandbox.state.konekwa.order.length, sent, 'nothing more was sent');
  } finally {
    await bed.close();
  }
});

test('SIGINT with 300 ms latency and 8 in flight: the requests finish and are journaled; the re-run sends the rest exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 80;
    bed.sandbox.faults.add({ kind: 'latency', ms: 300, match: { method: 'POST', path: '/v1/messages' }, times: Infinity });
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, n), ['--rate', '100/s', '--concurrency', '8', '--settle', '4s']);
    const stopped = await signalAt(bed, args, env, 16, 'SIGINT');
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /Interrupted\./);
    assert.match(stopped.stderr, /Run [\w-]+ \(unfinished\): \d+ sent, 0 failed, 0 unknown/, 'nothing in flight was cut off');
    const r = await runCli(args, { env });
    assert.equal(r.code, 0, r.stderr);
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});

test('someone who opts out after the run began is not sent when it continues, and is reported', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 40;
    const env = bed.env('konekwa');
    const args = sendArgs(sheet(bed, n), ['--rate', '50/s', '--settle', '4s']);
    await signalAt(bed, args, env, 10, 'SIGKILL');
    const last = '6281400000039';
    assert.equal(bed.sandbox.state.sendsByRecipient.has(last), false, 'the last recipient was not reached yet');
    assert.equal((await runCli(['optout', 'add', last, '--reason', 'replied STOP'], { env })).code, 0);
    const r = await runCli([...args, '--json'], { env });
    assert.equal(r.code, 1, 'one recipient was left out');
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.sent, out.failed], [n - 1, 1]);
    assert.match(out.outcomes.find((x: { phone: string }) => x.phone === last).error, /opted out since the run began/);
    assert.equal(bed.sandbox.state.sendsByRecipient.has(last), false, 'never sent');
    assert.equal(bed.sandbox.state.sendsByRecipient.size, n - 1);
  } finally {
    await bed.close();
  }
});
