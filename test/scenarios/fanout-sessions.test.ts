// A Konekwa fan-out over several sessions, over real HTTP against the sandbox: each recipient pinned to its session in
// the plan, a session that disconnects stopping only its own share, and the rest resumed (reconnected or moved) to
// exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { exactlyOnce, onlyRun, sendArgs, sheet, waitFor } from '../helpers/fanout.js';

const session = (bed: TestBed, id: string) => bed.sandbox.state.konekwa.sessions.find((s) => s.id === id)!;
const sentBy = (bed: TestBed, id: string) => [...bed.sandbox.state.konekwa.messages.values()].filter((m) => m.direction === 'sent' && m.session_id === id);

/** Starts a two-session fan-out and disconnects ses_backup once the sandbox accepted `after` messages. */
async function dropBackupMidway(bed: TestBed, n: number, after: number) {
  session(bed, 'ses_backup').status = 'CONNECTED';
  const env = bed.env('konekwa');
  const args = sendArgs(sheet(bed, n), ['--channel', 'ses_main01,ses_backup', '--rate', '40/s']);
  const running = runCli([...args, '--json'], { env });
  await waitFor(() => bed.sandbox.state.konekwa.order.length >= after);
  session(bed, 'ses_backup').status = 'DISCONNECTED';
  const first = await running;
  return { env, args, first };
}

function plan(bed: TestBed): { i: number; phone: string; session?: string }[] {
  return readFileSync(path.join(onlyRun(bed), 'plan.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l));
}

test('two sessions, one disconnects mid-way: only its share stops; --move-session sends the rest through the other, exactly once', async () => {
  // speed: a queued message reports SENT at once, so a status not found would show as pending.
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, speed: 1e6 });
  try {
    const n = 40;
    const { env, first } = await dropBackupMidway(bed, n, 10);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /Stopped: ses_backup: .*Session ses_backup is not connected/);
    assert.match(first.stderr, /--move-session ses_backup=ses_main01/);
    const out = JSON.parse(first.stdout);
    assert.deepEqual(out.stoppedSessions.map((s: { session: string }) => s.session), ['ses_backup']);

    // Each recipient is pinned in the plan, in turn; what the server accepted went through the pinned session.
    const planned = plan(bed);
    assert.deepEqual(new Set(planned.map((r) => r.session)), new Set(['ses_main01', 'ses_backup']));
    const pinned = new Map(planned.map((r) => [r.phone, r.session]));
    for (const m of bed.sandbox.state.konekwa.messages.values()) assert.equal(m.session_id, pinned.get(m.recipient), `${m.recipient} went through its session`);
    // The connected session went on to the end of its share.
    const mainShare = planned.filter((r) => r.session === 'ses_main01').length;
    assert.equal(sentBy(bed, 'ses_main01').length, mainShare);
    const backupBefore = sentBy(bed, 'ses_backup').length;
    assert.ok(backupBefore < n - mainShare, `ses_backup stopped before the end of its share (${backupBefore})`);
    assert.equal(out.sent, mainShare + backupBefore);
    assert.equal(out.failed, 0, 'a disconnected session fails nobody');

    // A move must name a session of the run and a session that can send.
    const notInRun = await runCli(['-y', 'broadcast', 'send', '--resume', out.id, '--move-session', 'ses_other=ses_main01'], { env });
    assert.equal(notInRun.code, 3, notInRun.stderr);
    assert.match(notInRun.stderr, /sends through ses_main01, ses_backup, not ses_other/);
    const malformed = await runCli(['-y', 'broadcast', 'send', '--resume', out.id, '--move-session', 'ses_backup'], { env });
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--move-session ses_backup: write FROM=TO/);
    const toDisconnected = await runCli(['-y', 'broadcast', 'send', '--resume', out.id, '--move-session', 'ses_main01=ses_backup'], { env });
    assert.equal(toDisconnected.code, 1);
    assert.match(toDisconnected.stderr, /session ses_backup is DISCONNECTED and cannot send/);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, out.sent, 'refused moves sent nothing');

    const moved = await runCli(['-y', '--json', 'broadcast', 'send', '--resume', out.id, '--move-session', 'ses_backup=ses_main01'], { env });
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stderr, new RegExp(`Moving the ${n - out.sent} unsettled recipient\\(s\\) of session ses_backup to ses_main01`));
    assert.equal(JSON.parse(moved.stdout).sent, n);
    exactlyOnce(bed, n);
    assert.equal(sentBy(bed, 'ses_backup').length, backupBefore, 'nothing more through the disconnected session');
    assert.equal(sentBy(bed, 'ses_main01').length, n - backupBefore);

    // The move is in the journal: the status of the run finds every message in both sessions, once listed.
    await waitFor(() => false, bed.sandbox.limits.konekwaListLagMs + 100);
    const status = await runCli(['--json', 'broadcast', 'status', out.id], { env });
    assert.equal(status.code, 0, status.stderr);
    const st = JSON.parse(status.stdout);
    assert.deepEqual([st.sent, st.onServer.sent, st.onServer.notListed], [n, n, 0], `every message's status was found in its session (${JSON.stringify(st.onServer)})`);
  } finally {
    await bed.close();
  }
});

test('two sessions, one disconnects: after it reconnects the same command sends its share through it, exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 30;
    const { env, args, first } = await dropBackupMidway(bed, n, 8);
    assert.equal(first.code, 1, first.stderr);
    const backupShare = plan(bed).filter((r) => r.session === 'ses_backup').length;
    assert.ok(sentBy(bed, 'ses_backup').length < backupShare);

    session(bed, 'ses_backup').status = 'CONNECTED';
    const again = await runCli([...args, '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /unfinished run [\w-]+ \(\d+ sent, 0 failed, 0 unknown, \d+ not sent, of 30\): continuing it/);
    exactlyOnce(bed, n);
    assert.equal(sentBy(bed, 'ses_backup').length, backupShare, 'the assignment was kept');
  } finally {
    await bed.close();
  }
});

test('--channel a,b: the dry run shows both sessions and the duration at --rate for each; a session named twice or --move-session without --resume is a usage error', async () => {
  const bed = await testBed();
  try {
    session(bed, 'ses_backup').status = 'CONNECTED';
    const env = bed.env('konekwa');
    const file = sheet(bed, 40);
    const dry = await runCli([...sendArgs(file, ['--channel', 'ses_main01,ses_backup', '--rate', '2/s']), '--dry-run', '--json'], { env });
    assert.equal(dry.code, 0, dry.stderr);
    const d = JSON.parse(dry.stdout);
    assert.deepEqual(d.channels.map((c: { id: string }) => c.id), ['ses_main01', 'ses_backup']);
    assert.equal(d.expectedSeconds, 10, '40 recipients over two sessions at 2/s each');
    const twice = await runCli([...sendArgs(file, ['--channel', 'ses_main01,ses_main01']), '--dry-run'], { env });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /session ses_main01 is named twice/);
    const loose = await runCli(sendArgs(file, ['--move-session', 'a=b']), { env });
    assert.equal(loose.code, 2);
    assert.match(loose.stderr, /--move-session .* use it with --resume RUN/);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);
  } finally {
    await bed.close();
  }
});
