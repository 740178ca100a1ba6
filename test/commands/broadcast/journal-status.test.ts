// `broadcast status --journal PATH …`: the run folders of two shards sent from two machines (two state folders),
// copied side by side, each counted from its own journal and summed, over real HTTP against the sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { testBed } from '../../helpers/sandbox.js';
import { sendArgs, sheet, waitFor } from '../../helpers/fanout.js';

test('broadcast status --journal sums the journals of two shards from two machines, with each shard\'s own line', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const n = 40;
    const file = sheet(bed, n);
    const machine = (m: string) => bed.env('konekwa', { WA_STATE_DIR: path.join(bed.dir, m, 'state') });
    const one = await runCli([...sendArgs(file, ['--shard', '1/2', '--rate', '500/s']), '--json'], { env: machine('a') });
    assert.equal(one.code, 0, one.stderr);
    const shardOne = JSON.parse(one.stdout);

    // The second machine's session disconnects mid-way: its shard is left unfinished.
    const before = bed.sandbox.state.konekwa.order.length;
    const session = bed.sandbox.state.konekwa.sessions.find((s) => s.id === 'ses_main01')!;
    const running = runCli([...sendArgs(file, ['--shard', '2/2', '--rate', '40/s']), '--json'], { env: machine('b') });
    await waitFor(() => bed.sandbox.state.konekwa.order.length >= before + 5);
    session.status = 'DISCONNECTED';
    const two = await running;
    assert.equal(two.code, 1, two.stderr);
    const shardTwo = JSON.parse(two.stdout);
    assert.ok(shardTwo.notSent > 0, 'shard 2 stopped before its end');

    // The run folders copied to one place, as from two CI artifacts.
    const collected = path.join(bed.dir, 'collected');
    for (const m of ['a', 'b']) cpSync(path.join(bed.dir, m, 'state', 'runs'), path.join(collected, m), { recursive: true });
    const folder = (m: string) => path.join(collected, m, readdirSync(path.join(collected, m))[0]!);
    // No credentials needed: the journals are read locally.
    const env = { HOME: bed.dir, WA_CONFIG_DIR: path.join(bed.dir, 'none'), WA_STATE_DIR: path.join(bed.dir, 'none') };
    const status = await runCli(['broadcast', 'status', '--journal', folder('a'), '--journal', path.join(folder('b'), 'journal.jsonl')], { env });
    assert.equal(status.code, 1, `an unfinished run is exit 1: ${status.stderr}`);
    assert.match(status.stdout, new RegExp(`shard 1/2 ${shardOne.id}: ${shardOne.sent} sent, 0 failed, 0 unknown, 0 not sent, of ${shardOne.total} \\(done\\)`));
    assert.match(status.stdout, new RegExp(`shard 2/2 ${shardTwo.id}: ${shardTwo.sent} sent, 0 failed, ${shardTwo.unknown} unknown, ${shardTwo.notSent} not sent, of ${shardTwo.total} \\(unfinished\\)`));
    const reached = bed.sandbox.state.sendsByRecipient.size;
    assert.match(status.stdout, new RegExp(`total of 2 run\\(s\\): ${reached} sent, 0 failed, ${shardTwo.unknown} unknown, ${n - reached - shardTwo.unknown} not sent, of ${n}`));

    const json = JSON.parse((await runCli(['--json', 'broadcast', 'status', '--journal', folder('a'), '--journal', folder('b')], { env })).stdout);
    assert.deepEqual([json.status, json.total, json.sent, json.runs.length], ['unfinished', n, reached, 2]);
    const finished = await runCli(['broadcast', 'status', '--journal', folder('a')], { env });
    assert.equal(finished.code, 0, 'a finished run alone is exit 0');

    const missing = await runCli(['broadcast', 'status', '--journal', path.join(collected, 'c')], { env });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /--journal .*collected\/c: no fan-out run there/);
    const twice = await runCli(['broadcast', 'status', '--journal', folder('a'), '--journal', path.join(folder('a'), 'plan.jsonl')], { env });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, new RegExp(`run ${shardOne.id} is also given as`));
    const both = await runCli(['broadcast', 'status', shardOne.id, '--journal', folder('a')], { env });
    assert.equal(both.code, 2);
  } finally {
    await bed.close();
  }
});
