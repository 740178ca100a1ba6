// Filesystem errors (a file where the state or config folder belongs, a folder that refuses writes, a full disk) end as
// one line naming the path and what to do, exit 1: never "unexpected failure", never a stack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { privateEnv } from '../helpers/sandbox.js';
import { describeFsError } from '../../src/cli/fs-error.js';
import { resolvePaths } from '../../src/config/paths.js';

let dir: string;
before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'wa-fs-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string>) => ({ ...privateEnv(dir), ...extra });

function assertOneLine(stderr: string): void {
  assert.doesNotMatch(stderr, /unexpected failure|    at |Run again with --verbose/);
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
}

test('WA_STATE_DIR naming a regular file: one line naming the file and WA_STATE_DIR, exit 1', async () => {
  const file = path.join(dir, 'state-is-a-file');
  writeFileSync(file, '');
  const r = await runCli(['optout', 'add', '6281234567890'], { env: env({ WA_STATE_DIR: file }) });
  assert.equal(r.code, 1, r.stderr);
  assertOneLine(r.stderr);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.\\/]/g, '\\$&')} is a file where a folder is needed \\((ENOTDIR|EEXIST)\\)\\. Move that file away or set WA_STATE_DIR to a writable folder\\.`));
});

test('WA_CONFIG_DIR naming a regular file: login fails with one line naming it and WA_CONFIG_DIR, exit 1', async () => {
  const file = path.join(dir, 'config-is-a-file');
  writeFileSync(file, '');
  const r = await runCli(['auth', 'login', '--provider', 'konekwa', '--method', 'api-key', '--with-secret', '--no-verify', '--insecure-storage'], {
    env: env({ WA_CONFIG_DIR: file }),
    stdin: 'k-123\n',
  });
  assert.equal(r.code, 1, r.stderr);
  assertOneLine(r.stderr);
  assert.match(r.stderr, /in the config folder .*config-is-a-file, from WA_CONFIG_DIR\)/);
  assert.match(r.stderr, /config-is-a-file is a file where a folder is needed \((ENOTDIR|EEXIST)\)\. Move that file away or set WA_CONFIG_DIR to a writable folder\./);
});

test('--out in a folder that refuses writes (/sys): one line naming the file asked for, not its temporary, exit 1', async (t) => {
  try {
    writeFileSync('/sys/.wa-cli-probe', '');
    rmSync('/sys/.wa-cli-probe', { force: true });
    return t.skip('/sys accepts writes here: no folder that refuses them');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') return t.skip(`/sys is not a folder that refuses writes here (${String(code)})`);
  }
  const csv = path.join(repoRoot, 'fixtures', 'contacts', 'semicolon-bom-crlf.clean.csv');
  const r = await runCli(['contacts', 'validate', csv, '--out', '/sys/clean.csv'], { env: env({}) });
  assert.equal(r.code, 1, r.stderr);
  assertOneLine(r.stderr.split('\n').filter((l) => l.startsWith('error:')).join('\n'));
  assert.match(r.stderr, /^error: cannot open \/sys\/clean\.csv: (permission denied \((EACCES|EPERM)\)\. Give this user write access to \/sys|the filesystem is read-only \(EROFS\)\. Mount it read-write) or choose another path\.$/m);
});

// Errors no test can cause on demand (a full disk, a quota) are Node's own error objects, as fs raises them.
function errno(code: string, syscall: string, p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: x, ${syscall} '${p}'`), { code, syscall, path: p, errno: -1 });
}

test('ENOSPC, EDQUOT, EROFS, EPERM: each a line with the path, where it comes from and what to do', () => {
  const e = { WA_STATE_DIR: '/srv/wa/state' };
  const paths = resolvePaths({ HOME: '/home/ops', ...e });
  const temp = '/srv/wa/state/ledger/.default.json.4242.0123456789ab.tmp';
  assert.equal(
    describeFsError(errno('ENOSPC', 'write', temp), paths, e),
    'cannot write /srv/wa/state/ledger/default.json (in the state folder /srv/wa/state, from WA_STATE_DIR): no space left on the device (ENOSPC). Free some space and run again.',
  );
  assert.match(describeFsError(errno('EDQUOT', 'write', '/home/ops/out.csv'), paths, e)!, /^cannot write \/home\/ops\/out\.csv: the disk quota is used up \(EDQUOT\)\. Free some space/);
  assert.equal(
    describeFsError(errno('EROFS', 'open', '/home/ops/.config/wa-cli/config.json'), paths, {}),
    'cannot open /home/ops/.config/wa-cli/config.json (in the config folder /home/ops/.config/wa-cli): the filesystem is read-only (EROFS). Mount it read-write or set WA_CONFIG_DIR to a writable folder.',
  );
  assert.match(describeFsError(errno('EPERM', 'rename', '/srv/wa/state/x.json'), paths, e)!, /permission denied \(EPERM\)\. Give this user write access to \/srv\/wa\/state or set WA_STATE_DIR to a writable folder\.$/);
  // Wrapped as a cause, it is still found; anything that is not an errno error is left to the caller.
  assert.match(describeFsError(new Error('saving failed', { cause: errno('ENOSPC', 'write', '/tmp/x') }), paths, e)!, /ENOSPC/);
  assert.equal(describeFsError(new Error('boom'), paths, e), undefined);
});
