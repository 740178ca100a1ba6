import os from 'node:os';
import path from 'node:path';
import type { Env } from '../env.js';

export interface Paths {
  configDir: string;
  configFile: string;
  insecureCredentialsFile: string;
  stateDir: string;
}

/** XDG locations, overridden by WA_CONFIG_DIR and WA_STATE_DIR. */
export function resolvePaths(env: Env): Paths {
  const home = env.HOME || os.homedir();
  const configDir = env.WA_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'wa-cli');
  const stateDir = env.WA_STATE_DIR || path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'wa-cli');
  return {
    configDir,
    configFile: path.join(configDir, 'config.json'),
    insecureCredentialsFile: path.join(configDir, 'credentials.json'),
    stateDir,
  };
}
