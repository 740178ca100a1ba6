// A real Secret Service for the keychain tests: a private D-Bus session bus and gnome-keyring-daemon, unlocked with a
// throwaway password, in a throwaway HOME. Nothing of the developer's own keyring is touched.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SecretService {
  env: Record<string, string>;
  stop(): Promise<void>;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Why the tests cannot run here, or undefined when they can. CI sets WA_REQUIRE_KEYRING=1 so a skip fails there. */
export function secretServiceMissing(): string | undefined {
  const missing = ['dbus-daemon', 'gnome-keyring-daemon', 'secret-tool'].filter((c) => !has(c));
  return missing.length ? `not installed: ${missing.join(', ')} (apt-get install dbus gnome-keyring libsecret-tools)` : undefined;
}

export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wa-keyring-'));
  const base = { HOME: home, XDG_RUNTIME_DIR: home, XDG_DATA_HOME: path.join(home, 'data'), PATH: process.env.PATH ?? '' };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { env: base, stdio: ['ignore', 'pipe', 'ignore'] });
  const address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    bus.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve(line.trim());
    });
    bus.on('exit', (c) => reject(new Error(`dbus-daemon exited ${c}`)));
  });
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };
  // Started like a desktop session does: the launcher returns once the daemon has unlocked its login keyring.
  const launch = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env,
    input: 'throwaway-password',
    timeout: 10_000,
  });
  if (launch.status !== 0) throw new Error(`gnome-keyring-daemon failed: ${launch.stderr.toString()}`);
  return {
    env,
    async stop() {
      // The keyring daemon leaves when its session bus goes away.
      bus.kill('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function secretToolSearch(env: Record<string, string>, account: string): string {
  const r = spawnSync('secret-tool', ['search', '--all', 'service', 'wa-cli', 'username', account], { env, timeout: 5000 });
  return `${r.stdout.toString()}${r.stderr.toString()}`;
}
