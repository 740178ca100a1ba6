import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { sandboxEnv } from '../../src/sandbox/env.js';

export type AuthFlavour = 'qontak-hmac' | 'qontak-oauth' | 'konekwa';

export interface TestBed {
  sandbox: Sandbox;
  dir: string;
  /** An environment pointing wa-cli at the sandbox, with private config and state folders. */
  env(flavour: AuthFlavour, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function testBed(opts: SandboxOptions = {}): Promise<TestBed> {
  const sandbox = await startSandbox(opts);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-test-'));
  return {
    sandbox,
    dir,
    env: (flavour, extra = {}) => ({
      HOME: dir,
      WA_CONFIG_DIR: path.join(dir, 'config'),
      WA_STATE_DIR: path.join(dir, 'state'),
      // No keychain is reachable: the environment alone must do.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${dir}/no-bus`,
      ...sandboxEnv(sandbox)[flavour],
      ...extra,
    }),
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
