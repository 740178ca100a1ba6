// The test bed every command test and scenario runs on: a sandbox on 127.0.0.1 and a private folder holding HOME and
// wa-cli's config and state, with no keychain within reach. `testBed` makes one (a test that needs its own closes it);
// `sharedTestBed` makes one for a whole file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startSandbox, type ReceivedRequest, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { sandboxEnv } from '../../src/sandbox/env.js';

export type AuthFlavour = 'qontak-hmac' | 'qontak-oauth' | 'konekwa';

export interface TestBed {
  sandbox: Sandbox;
  dir: string;
  /** An environment pointing wa-cli at the sandbox, with private config and state folders. */
  env(flavour: AuthFlavour, extra?: Record<string, string>): Record<string, string>;
  /** Writes `text` to a file of that name in the bed's folder; returns its path. */
  file(name: string, text: string): string;
  /** The POST requests the sandbox received on `path`. */
  posts(path: string): ReceivedRequest[];
  /** Writes config.json with these settings for the default profile. */
  profile(settings: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** HOME, config and state folders under `dir`, and a bus address that leads nowhere: the environment alone must do. */
export function privateEnv(dir: string): Record<string, string> {
  return {
    HOME: dir,
    WA_CONFIG_DIR: path.join(dir, 'config'),
    WA_STATE_DIR: path.join(dir, 'state'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${dir}/no-bus`,
  };
}

export async function testBed(opts: SandboxOptions = {}): Promise<TestBed> {
  const sandbox = await startSandbox(opts);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-test-'));
  return {
    sandbox,
    dir,
    env: (flavour, extra = {}) => ({ ...privateEnv(dir), ...sandboxEnv(sandbox)[flavour], ...extra }),
    file(name, text) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    posts: (p) => sandbox.state.requests.filter((r) => r.method === 'POST' && r.path === p),
    profile(settings) {
      mkdirSync(path.join(dir, 'config'), { recursive: true });
      writeFileSync(path.join(dir, 'config', 'config.json'), JSON.stringify({ version: 1, profiles: { default: settings } }));
    },
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One bed for every test of a file: started before the first test, then `ready` (the file's own set-up on it; a
 * file's other `before` hooks may run alongside the start, not after it), closed after the last test. Usable inside
 * tests and hooks only.
 */
export function sharedTestBed(opts: SandboxOptions = {}, ready?: (bed: TestBed) => void | Promise<void>): TestBed {
  let bed: TestBed | undefined;
  before(async () => {
    bed = await testBed(opts);
    await ready?.(bed);
  });
  after(() => bed?.close());
  const open = (): TestBed => {
    if (!bed) throw new Error('the shared test bed starts before the first test: use it inside a test or a hook');
    return bed;
  };
  return {
    get sandbox() {
      return open().sandbox;
    },
    get dir() {
      return open().dir;
    },
    env: (flavour, extra) => open().env(flavour, extra),
    file: (name, text) => open().file(name, text),
    posts: (p) => open().posts(p),
    profile: (settings) => open().profile(settings),
    close: () => open().close(),
  };
}
