// Every file under examples/ is parsed, and its wa-cli command lines run as written (through a shell where the file
// uses one) against the sandbox, with the real binary on PATH. What the scheduler would provide (the matrix, the job
// index, mounted folders, secrets, artifacts, the cache) is provided here as the file describes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { bin, exactlyOnce, sheet } from '../helpers/fanout.js';

const example = (...p: string[]) => readFileSync(path.join(repoRoot, 'examples', ...p), 'utf8');

/** A folder whose `wa-cli` is this checkout's binary: what `npm install --global` of the packed tarball provides. */
function shimDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-shim-'));
  writeFileSync(path.join(dir, 'wa-cli'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(path.join(dir, 'wa-cli'), 0o755);
  return dir;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Replaces each absolute path the example names by the folder standing for it here (longest first). */
function mapPaths(text: string, mounts: Record<string, string>): string {
  let out = text;
  for (const from of Object.keys(mounts).sort((a, b) => b.length - a.length)) out = out.split(from).join(mounts[from]!);
  return out;
}

/**
 * The recipients of an example, with the columns promo_nov and order_update need. The examples send at wa-cli's
 * default pace (one message a second per session, as a real WhatsApp number should), so the lists are short.
 */
function contacts(bed: TestBed, file: string, n: number): void {
  const lines = readFileSync(sheet(bed, n, '0819'), 'utf8').trimEnd().split('\n');
  writeFileSync(file, `${[`${lines[0]},order_id`, ...lines.slice(1).map((l, i) => `${l},INV-${1000 + i}`)].join('\n')}\n`);
}

const baseEnv = (shim: string, home: string) => ({ PATH: `${shim}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/no-bus` });

test('GitHub Actions: four shards with --shard auto, a failed shard re-run from its cached state, then the journals summed: 20 of 20 exactly once', async () => {
  const N = 20;
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000, speed: 100 });
  const root = mkdtempSync(path.join(os.tmpdir(), 'wa-gha-'));
  const shim = shimDir();
  try {
    const wf = parse(example('github-actions', 'broadcast.yml')) as { jobs: Record<string, Job> };
    type Step = { uses?: string; run?: string; if?: string; with?: Record<string, string | number | boolean> };
    type Job = { env?: Record<string, string | number>; steps: Step[]; strategy?: { matrix: { shard: number[] } }; needs?: string };
    const caches: { key: string; dir: string }[] = [];
    const artifacts = new Map<string, string>();
    const summaries: string[] = [];
    const konekwa = bed.env('konekwa');

    async function runJob(name: string, job: Job, at: { shard?: number; total: number; attempt: number }): Promise<{ failed: boolean; steps: Ran[] }> {
      const workspace = path.join(root, `${name}-${at.shard ?? 'x'}-attempt-${at.attempt}`);
      mkdirSync(workspace, { recursive: true });
      const expr = (v: unknown): string =>
        String(v).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
          const known: Record<string, string | undefined> = {
            'matrix.shard': at.shard === undefined ? undefined : String(at.shard),
            'strategy.job-total': String(at.total),
            'github.workspace': workspace,
            'github.run_id': '4242',
            'github.run_attempt': String(at.attempt),
            'secrets.KONEKWA_API_KEY': konekwa.KONEKWA_API_KEY,
            'vars.KONEKWA_BASE_URL': konekwa.KONEKWA_BASE_URL,
          };
          assert.ok(known[e] !== undefined, `the example uses \${{ ${e} }}, which this test does not provide`);
          return known[e]!;
        });
      const summary = path.join(workspace, '.step-summary.md');
      const env = { ...baseEnv(shim, workspace), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, ...Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, expr(v)])) };
      const ran: Ran[] = [];
      let failed = false;
      for (const step of job.steps) {
        if (failed && !String(step.if ?? '').includes('always()')) continue;
        const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(v)]));
        if (step.uses) {
          const action = step.uses.split('@')[0];
          if (action === 'actions/checkout') contacts(bed, path.join(workspace, 'customers.csv'), N);
          else if (action === 'actions/setup-node') continue;
          else if (action === 'actions/cache/restore') {
            const hit = [...caches].reverse().find((c) => c.key === w.key || c.key.startsWith(w['restore-keys']!));
            if (hit) cpSync(hit.dir, path.join(workspace, w.path!), { recursive: true });
          } else if (action === 'actions/cache/save') {
            // A cache entry cannot be overwritten: the key carries the attempt.
            assert.ok(!caches.some((c) => c.key === w.key), `cache key ${w.key} saved twice`);
            const dir = path.join(root, 'cache', w.key!);
            if (existsSync(path.join(workspace, w.path!))) cpSync(path.join(workspace, w.path!), dir, { recursive: true });
            caches.push({ key: w.key!, dir });
          } else if (action === 'actions/upload-artifact') {
            const dir = path.join(root, 'artifacts', w.name!);
            assert.ok(w.overwrite === 'true' || !artifacts.has(w.name!), `artifact ${w.name} uploaded twice without overwrite`);
            rmSync(dir, { recursive: true, force: true });
            cpSync(path.join(workspace, w.path!), dir, { recursive: true });
            artifacts.set(w.name!, dir);
          } else if (action === 'actions/download-artifact') {
            const pattern = new RegExp(`^${w.pattern!.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
            for (const [n, dir] of artifacts) if (pattern.test(n)) cpSync(dir, path.join(workspace, w.path!, n), { recursive: true });
          } else assert.fail(`the example uses ${step.uses}, which this test does not stand in for`);
          continue;
        }
        const line = expr(step.run);
        if (line.startsWith('npm install --global ./vendor/wa-cli-')) continue; // the shim on PATH stands for it
        assert.match(line, /^wa-cli /, `a run step that is not a wa-cli command: ${line}`);
        const r = await run('bash', ['-e', '-c', line], { cwd: workspace, env });
        ran.push(r);
        if (r.code !== 0) failed = true;
      }
      if (existsSync(summary)) summaries.push(readFileSync(summary, 'utf8'));
      return { failed, steps: ran };
    }

    const send = wf.jobs.send!;
    const shards = send.strategy!.matrix.shard;
    assert.deepEqual(shards, [0, 1, 2, 3]);
    // The matrix jobs run at once; shard 1's gateway then fails part-way: that job stops with its journal saved, and
    // is re-run alone.
    const others = await Promise.all(shards.filter((x) => x !== 1).map((shard) => runJob('send', send, { shard, total: shards.length, attempt: 1 })));
    for (const r of others) assert.equal(r.failed, false, r.steps.map((x) => x.stderr).join('\n'));
    bed.sandbox.faults.add({ kind: 'status', status: 503, match: { method: 'POST', path: /\/v1\/messages$/ }, probability: 0.4 });
    const broken = await runJob('send', send, { shard: 1, total: shards.length, attempt: 1 });
    bed.sandbox.faults.clear();
    assert.equal(broken.failed, true, 'shard 1 failed');
    assert.ok(bed.sandbox.state.sendsByRecipient.size < N, 'the failed shard left recipients unsent');
    const rerun = await runJob('send', send, { shard: 1, total: shards.length, attempt: 2 });
    assert.equal(rerun.failed, false, rerun.steps.map((s) => s.stderr).join('\n'));
    assert.match(rerun.steps.at(-1)!.stderr, /continuing it|Resuming|unfinished run/i, 'the re-run continued the cached run');
    exactlyOnce(bed, N);

    const total = await runJob('total', wf.jobs.total!, { total: 1, attempt: 1 });
    assert.equal(total.failed, false, total.steps.map((s) => s.stderr).join('\n'));
    assert.match(total.steps.at(-1)!.stdout, new RegExp(`^total of 4 run\\(s\\): ${N} sent, 0 failed, 0 unknown, 0 not sent, of ${N}$`, 'm'));
    for (const s of [1, 2, 3, 4]) assert.match(total.steps.at(-1)!.stdout, new RegExp(`^shard ${s}/4 `, 'm'));
    // Each send job left its summary: five send jobs (one re-run), each naming its run.
    assert.equal(summaries.filter((s) => /^### wa-cli broadcast send: run `/m.test(s)).length, 5);
    assert.ok(summaries.some((s) => /Not finished: run the same command again/.test(s)), 'the failed attempt said how to continue');
  } finally {
    await bed.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(shim, { recursive: true, force: true });
  }
});

type Container = { command: string[]; args?: string[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]; volumeMounts: { name: string; mountPath: string; subPathExpr?: string }[] };

/** A pod as the kubelet would start it here: its env (secrets from `secrets`), its mounts as folders, its command. */
function pod(c: Container, o: { index?: number; secrets: Record<string, string>; standIns: Record<string, string>; volumes: Record<string, string>; shim: string; home: string }) {
  const env: Record<string, string> = { ...baseEnv(o.shim, o.home), ...(o.index !== undefined ? { JOB_COMPLETION_INDEX: String(o.index) } : {}) };
  for (const e of c.env) {
    if (e.valueFrom) env[e.name] = o.secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]!;
    else if (o.standIns[e.name] !== undefined) {
      // A stand-in host in the example, pointed at the sandbox.
      assert.equal(e.value, 'https://wa.example.com');
      env[e.name] = o.standIns[e.name]!;
    } else env[e.name] = e.value!;
  }
  const mounts: Record<string, string> = {};
  for (const m of c.volumeMounts) {
    const sub = m.subPathExpr ? m.subPathExpr.replace(/\$\((\w+)\)/g, (_x, v: string) => env[v] ?? assert.fail(`subPathExpr names ${v}, which the pod lacks`)) : '';
    mounts[m.mountPath] = path.join(o.volumes[m.name]!, sub);
    mkdirSync(mounts[m.mountPath]!, { recursive: true });
  }
  for (const k of Object.keys(env)) env[k] = mapPaths(env[k]!, mounts);
  const argv = [...c.command, ...(c.args ?? [])].map((a) => mapPaths(a, mounts));
  return { env, argv, mounts };
}

test('Kubernetes Indexed Job: four pods at once, each --shard auto from JOB_COMPLETION_INDEX with its own journal folder: 40 of 40 exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  const root = mkdtempSync(path.join(os.tmpdir(), 'wa-k8s-'));
  const shim = shimDir();
  try {
    const text = example('kubernetes', 'indexed-job.yaml');
    const job = parse(text) as { kind: string; spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: Container[] } } } };
    assert.deepEqual([job.kind, job.spec.completionMode], ['Job', 'Indexed']);
    const k = bed.env('konekwa');
    const volumes = { contacts: path.join(root, 'configmap'), state: path.join(root, 'pvc') };
    mkdirSync(volumes.contacts, { recursive: true });
    contacts(bed, path.join(volumes.contacts, 'customers.csv'), 40);
    const pods = Array.from({ length: job.spec.completions }, (_, index) =>
      pod(job.spec.template.spec.containers[0]!, { index, secrets: { 'konekwa/api-key': k.KONEKWA_API_KEY! }, standIns: { KONEKWA_BASE_URL: k.KONEKWA_BASE_URL! }, volumes, shim, home: path.join(root, `home-${index}`) }),
    );
    assert.equal(job.spec.parallelism, pods.length, 'all at once');
    const results = await Promise.all(pods.map((p) => run(p.argv[0]!, p.argv.slice(1), { cwd: root, env: p.env })));
    results.forEach((r, i) => assert.equal(r.code, 0, `pod ${i}: ${r.stderr}`));
    exactlyOnce(bed, 40);
    assert.deepEqual(readdirSync(volumes.state).sort(), ['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    // The sum the file's header shows, run against the same volume.
    const sum = /^#\s+(wa-cli broadcast status .*)$/m.exec(text)?.[1];
    assert.ok(sum, 'the example shows how to sum the shards');
    const r = await run('bash', ['-c', mapPaths(sum, { '/var/lib/wa-cli': volumes.state })], { cwd: root, env: baseEnv(shim, root) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^total of 4 run\(s\): 40 sent, 0 failed, 0 unknown, 0 not sent, of 40$/m);
  } finally {
    await bed.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(shim, { recursive: true, force: true });
  }
});

test('Kubernetes CronJob: the day\'s send goes once; the same day again refuses (exit 5) and sends nobody twice', async () => {
  const N = 8;
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  const root = mkdtempSync(path.join(os.tmpdir(), 'wa-cron-'));
  const shim = shimDir();
  try {
    const cj = parse(example('kubernetes', 'cronjob.yaml')) as { kind: string; spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } } };
    assert.deepEqual([cj.kind, cj.spec.concurrencyPolicy], ['CronJob', 'Forbid']);
    assert.match(cj.spec.schedule, /^(\S+\s+){4}\S+$/);
    const k = bed.env('konekwa');
    const volumes = { orders: path.join(root, 'orders'), state: path.join(root, 'state') };
    mkdirSync(volumes.orders, { recursive: true });
    contacts(bed, path.join(volumes.orders, 'orders-today.csv'), N);
    const p = pod(cj.spec.jobTemplate.spec.template.spec.containers[0]!, { secrets: { 'konekwa/api-key': k.KONEKWA_API_KEY! }, standIns: { KONEKWA_BASE_URL: k.KONEKWA_BASE_URL! }, volumes, shim, home: root });
    assert.deepEqual(p.argv.slice(0, 2), ['/bin/sh', '-c']);
    const first = await run(p.argv[0]!, p.argv.slice(1), { cwd: root, env: p.env });
    assert.equal(first.code, 0, first.stderr);
    exactlyOnce(bed, N);
    const again = await run(p.argv[0]!, p.argv.slice(1), { cwd: root, env: p.env });
    assert.equal(again.code, 5, again.stderr);
    assert.match(again.stderr, new RegExp(`order-updates-${new Date().toISOString().slice(0, 10)}`));
    exactlyOnce(bed, N);
  } finally {
    await bed.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(shim, { recursive: true, force: true });
  }
});

test('crontab with flock: the line sends once, a second firing the same day refuses, and an overlapping one does not start', async () => {
  const N = 8;
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  const root = mkdtempSync(path.join(os.tmpdir(), 'wa-crontab-'));
  const shim = shimDir();
  try {
    const lines = example('cron', 'crontab').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const vars = lines.filter((l) => /^[A-Z_]+=/.test(l));
    const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));
    assert.deepEqual(vars, ['CRON_TZ=Asia/Jakarta']);
    assert.equal(jobs.length, 1);
    const m = /^((?:\S+\s+){5})(.+)$/.exec(jobs[0]!);
    assert.ok(m, 'five schedule fields, then the command');
    assert.equal(m[1]!.trim(), '0 9 * * 1-5');
    // cron turns an unescaped % into a line break: the example must escape every one.
    assert.doesNotMatch(m[2]!.replace(/\\%/g, ''), /%/);
    const k = bed.env('konekwa');
    const dirs = { '/etc/wa-cli': path.join(root, 'etc'), '/var/lock': path.join(root, 'lock'), '/srv/exports': path.join(root, 'exports'), '/var/log/wa-cli': path.join(root, 'log') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(dirs['/etc/wa-cli'], 'gateway.env'), `export KONEKWA_BASE_URL=${k.KONEKWA_BASE_URL}\nexport KONEKWA_API_KEY=${k.KONEKWA_API_KEY}\nexport WA_PROVIDER=konekwa\n`, { mode: 0o600 });
    contacts(bed, path.join(dirs['/srv/exports'], 'orders-today.csv'), N);
    const command = mapPaths(m[2]!.replace(/\\%/g, '%'), dirs);
    // cron's own environment: a short PATH (here with wa-cli on it), HOME, the variables the crontab sets.
    const env = { ...baseEnv(shim, root), CRON_TZ: 'Asia/Jakarta' };
    const fire = () => run('/bin/sh', ['-c', command], { cwd: root, env });
    const log = () => readFileSync(path.join(dirs['/var/log/wa-cli'], 'order-updates.log'), 'utf8');

    const first = await fire();
    assert.equal(first.code, 0, log());
    exactlyOnce(bed, N);
    const second = await fire();
    assert.equal(second.code, 5, log());
    assert.match(log(), /order-updates-\d{4}-\d\d-\d\d/);
    exactlyOnce(bed, N);

    // While another firing holds the lock, this one does not start at all.
    const lockFile = path.join(dirs['/var/lock'], 'wa-cli-order-updates.lock');
    const holder = spawn('flock', [lockFile, 'sleep', '30'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 500 && (await run('flock', ['-n', lockFile, 'true'], { cwd: root, env })).code === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const before = log();
      const overlap = await fire();
      assert.equal(overlap.code, 1, 'flock -n gives up at once');
      assert.equal(log(), before, 'wa-cli did not run');
    } finally {
      holder.kill('SIGTERM');
    }
    exactlyOnce(bed, N);
  } finally {
    await bed.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(shim, { recursive: true, force: true });
  }
});
