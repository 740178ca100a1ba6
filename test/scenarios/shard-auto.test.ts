// --shard auto: the shard comes from the scheduler (JOB_COMPLETION_INDEX, 0-based, and WA_SHARD_COUNT or auto/N).
// Two jobs on two machines (two state folders) reach every recipient exactly once between them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { testBed } from '../helpers/sandbox.js';
import { exactlyOnce, sendArgs, sheet } from '../helpers/fanout.js';

test('two Indexed Job pods (JOB_COMPLETION_INDEX 0 and 1, WA_SHARD_COUNT=2) with --shard auto: 40 of 40 recipients exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const file = sheet(bed, 40);
    const job = (i: number) => bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50', WA_STATE_DIR: path.join(bed.dir, `pod-${i}`), JOB_COMPLETION_INDEX: String(i), WA_SHARD_COUNT: '2' });
    const counts: number[] = [];
    for (const i of [0, 1]) {
      const r = await runCli([...sendArgs(file, ['--shard', 'auto', '--rate', '1000']), '--json'], { env: job(i) });
      assert.equal(r.code, 0, r.stderr);
      counts.push(JSON.parse(r.stdout).sent);
    }
    exactlyOnce(bed, 40);
    assert.equal(counts[0]! + counts[1]!, 40);
    assert.ok(counts.every((c) => c > 0), `each pod sent its share (${counts.join(' + ')})`);
    // The sum of both pods' journals, read locally.
    const journals = [0, 1].flatMap((i) => ['--journal', path.join(bed.dir, `pod-${i}`, 'runs', readdirSync(path.join(bed.dir, `pod-${i}`, 'runs'))[0]!)]);
    const status = await runCli(['broadcast', 'status', ...journals, '--json'], { env: {} });
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.deepEqual([s.sent, s.total, s.runs.map((r: { shard: string }) => r.shard)], [40, 40, ['1/2', '2/2']]);
    // A pod run again (the Job retried it) sends nobody twice: its key is the shard's.
    const again = await runCli(sendArgs(file, ['--shard', 'auto']), { env: job(1) });
    assert.equal(again.code, 5, again.stderr);
    exactlyOnce(bed, 40);
  } finally {
    await bed.close();
  }
});

test('--shard auto is the same shard, and the same key, as the I/N it stands for', async () => {
  const bed = await testBed();
  try {
    const file = sheet(bed, 10);
    const key = async (shard: string, extra: Record<string, string> = {}) => {
      const r = await runCli([...sendArgs(file, ['--shard', shard]), '--dry-run', '--json'], { env: bed.env('konekwa', extra) });
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      return `${j.shard.shard} ${j.idempotencyKey}`;
    };
    const explicit = await key('2/3');
    assert.equal(await key('auto', { JOB_COMPLETION_INDEX: '1', WA_SHARD_COUNT: '3' }), explicit);
    assert.equal(await key('auto/3', { JOB_COMPLETION_INDEX: '1' }), explicit, 'auto/N needs no WA_SHARD_COUNT');
    assert.equal(await key('auto/3', { JOB_COMPLETION_INDEX: '1', WA_SHARD_COUNT: '7' }), explicit, 'auto/N wins over WA_SHARD_COUNT');
  } finally {
    await bed.close();
  }
});

test('--shard auto without what it needs: one line naming the variable, exit 2, nothing sent', async () => {
  const bed = await testBed();
  try {
    const file = sheet(bed, 3);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ WA_SHARD_COUNT: '2' }, 'auto', /--shard auto: JOB_COMPLETION_INDEX is not set; it comes from a Kubernetes Indexed Job/],
      [{ JOB_COMPLETION_INDEX: '0' }, 'auto', /--shard auto: the number of shards is missing; set WA_SHARD_COUNT/],
      [{ JOB_COMPLETION_INDEX: '2', WA_SHARD_COUNT: '2' }, 'auto', /JOB_COMPLETION_INDEX is "2"; with 2 shard\(s\) it must be 0 to 1/],
      [{ JOB_COMPLETION_INDEX: 'x' }, 'auto/2', /JOB_COMPLETION_INDEX is "x"/],
      [{ JOB_COMPLETION_INDEX: '0', WA_SHARD_COUNT: 'four' }, 'auto', /in WA_SHARD_COUNT \("four"\) is not a whole number/],
      [{ JOB_COMPLETION_INDEX: '0' }, 'auto/0', /the number of shards "0" is not a whole number of 1 or more/],
    ];
    for (const [extra, shard, message] of cases) {
      const r = await runCli(sendArgs(file, ['--shard', shard]), { env: bed.env('konekwa', extra) });
      assert.equal(r.code, 2, `${shard} ${JSON.stringify(extra)}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 0);
  } finally {
    await bed.close();
  }
});
