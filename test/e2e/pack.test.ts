// The package as users get it: packed, installed into a clean prefix that never saw this repository's node_modules
// (dependencies from npm's local cache only, offline), then run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

test('npm pack, install the tarball into a fresh prefix, run --version and the demo from there', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wa-pack-'));
  try {
    const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
    const packed = npm(['pack', '--json', '--pack-destination', tmp, '--ignore-scripts'], repoRoot);
    assert.equal(packed.status, 0, packed.stderr);
    const info = JSON.parse(packed.stdout)[0] as { filename: string; files: { path: string }[] };
    const files = info.files.map((f) => f.path);
    assert.ok(files.includes('bin/wa-cli.js') && files.includes('dist/src/main.js') && files.includes('dist/src/config/keychain-worker.js'));
    // bin runs the bundle: its entry and the keychain worker it spawns ship beside the tsc output.
    assert.ok(files.includes('dist/cli/main.js') && files.includes('dist/cli/keychain-worker.js'), 'the bundle ships');
    assert.ok(files.includes('fixtures/demo/customers.csv') && files.includes('CHANGELOG.md'));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('test/') || f.startsWith('src/')), 'no tests or sources in the package');
    // Unpacked where a global install puts it, then its shrinkwrapped production dependencies installed offline.
    const prefix = path.join(tmp, 'prefix', 'lib', 'node_modules');
    mkdirSync(prefix, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', path.join(tmp, info.filename), '-C', prefix]);
    assert.equal(untar.status, 0);
    const pkgDir = path.join(prefix, 'wa-cli');
    renameSync(path.join(prefix, 'package'), pkgDir);
    assert.ok(files.includes('npm-shrinkwrap.json'), 'the dependency tree ships pinned');
    const installed = npm(['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], pkgDir);
    assert.equal(installed.status, 0, installed.stderr);
    const bin = path.join(pkgDir, 'bin', 'wa-cli.js');
    const env = { PATH: process.env.PATH ?? '', HOME: tmp, DBUS_SESSION_BUS_ADDRESS: `unix:path=${tmp}/none` };
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    const demo = spawnSync(bin, ['demo'], { encoding: 'utf8', env, timeout: 60_000, cwd: tmp });
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /Done in \d+\.\d s\./);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
