// Where a credential comes from, in order: environment (CI, cron) → OS keychain → the opt-in 0600 file.
import { readFile } from 'node:fs/promises';
import type { Env } from '../env.js';
import { AuthError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { Keychain, KeychainUnavailableError } from './keychain.js';
import type { AuthMethod, Profile, ProviderName } from './profiles.js';

export type SecretName = 'client-secret' | 'access-token' | 'refresh-token' | 'api-key';
export type Source = 'env' | 'keychain' | 'file' | 'config' | 'default';

export interface Sourced {
  value: string;
  source: Source;
  /** The environment variable, when source is env. */
  envVar?: string;
}

export interface ResolvedAuth {
  profile: string;
  provider: ProviderName;
  method: AuthMethod;
  baseUrl: Sourced;
  clientId: Sourced | undefined;
  secrets: Partial<Record<SecretName, Sourced>>;
  /** Set when the keychain was asked and could not answer. */
  keychainProblem: string | undefined;
}

export const DEFAULT_BASE_URLS: Record<AuthMethod, string> = {
  hmac: 'https://api.mekari.com',
  oauth: 'https://service-chat.qontak.com',
  'api-key': 'http://localhost:8080',
};

const SECRET_ENV: Record<AuthMethod, Partial<Record<SecretName, string>>> = {
  hmac: { 'client-secret': 'MEKARI_API_CLIENT_SECRET' },
  oauth: { 'access-token': 'QONTAK_ACCESS_TOKEN' },
  'api-key': { 'api-key': 'KONEKWA_API_KEY' },
};
const BASE_URL_ENV: Record<AuthMethod, string> = {
  hmac: 'MEKARI_API_BASE_URL',
  oauth: 'QONTAK_BASE_URL',
  'api-key': 'KONEKWA_BASE_URL',
};
export const REQUIRED_SECRETS: Record<AuthMethod, SecretName[]> = {
  hmac: ['client-secret'],
  oauth: ['access-token'],
  'api-key': ['api-key'],
};
const OPTIONAL_SECRETS: Record<AuthMethod, SecretName[]> = {
  hmac: [],
  oauth: ['refresh-token', 'client-secret'],
  'api-key': [],
};

/** The env vars a person can set instead of logging in, for messages. */
export function envHint(method: AuthMethod): string {
  if (method === 'hmac') return 'MEKARI_API_CLIENT_ID and MEKARI_API_CLIENT_SECRET';
  if (method === 'oauth') return 'QONTAK_ACCESS_TOKEN';
  return 'KONEKWA_API_KEY';
}

const set = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
};

/** Which provider and auth method apply: environment first, then the profile, then the defaults. */
export function chooseMethod(env: Env, profile: Profile | undefined): { provider: ProviderName; method: AuthMethod } {
  const envProvider = set(env, 'WA_PROVIDER');
  if (envProvider !== undefined && envProvider !== 'qontak' && envProvider !== 'konekwa') {
    throw new AuthError(`WA_PROVIDER is "${envProvider}"; use qontak or konekwa.`);
  }
  const hasMekari = set(env, 'MEKARI_API_CLIENT_SECRET') !== undefined;
  const hasToken = set(env, 'QONTAK_ACCESS_TOKEN') !== undefined;
  const hasKonekwa = set(env, 'KONEKWA_API_KEY') !== undefined;
  const provider: ProviderName =
    (envProvider as ProviderName | undefined) ??
    profile?.provider ??
    (hasKonekwa && !hasMekari && !hasToken ? 'konekwa' : 'qontak');
  if (provider === 'konekwa') return { provider, method: 'api-key' };
  const method: AuthMethod = hasMekari
    ? 'hmac'
    : hasToken
      ? 'oauth'
      : profile?.provider === 'qontak' && profile.method
        ? profile.method
        : 'hmac';
  return { provider, method };
}

interface FileSecrets {
  version: 1;
  secrets: Record<string, string>;
}

export class CredentialStore {
  constructor(private readonly opts: { env: Env; keychain: Keychain; insecureFile: string }) {}

  static account(profile: string, name: SecretName): string {
    return `${profile}/${name}`;
  }

  /** Asks the keychain these credentials live in for nothing in particular, behind its guard; rejects when it cannot answer. */
  async probeKeychain(profileName: string): Promise<void> {
    await this.opts.keychain.get(`${profileName}/doctor-probe`);
  }

  async resolve(profileName: string, profile: Profile | undefined): Promise<ResolvedAuth> {
    const { env } = this.opts;
    const { provider, method } = chooseMethod(env, profile);
    const profileMatches = profile?.provider === provider && (profile.method ?? 'hmac') === method;
    const baseEnv = BASE_URL_ENV[method];
    const baseUrl: Sourced = set(env, baseEnv)
      ? { value: set(env, baseEnv)!, source: 'env', envVar: baseEnv }
      : profileMatches && profile?.baseUrl
        ? { value: profile.baseUrl, source: 'config' }
        : { value: DEFAULT_BASE_URLS[method], source: 'default' };
    let clientId: Sourced | undefined;
    if (set(env, 'MEKARI_API_CLIENT_ID') && method === 'hmac') {
      clientId = { value: set(env, 'MEKARI_API_CLIENT_ID')!, source: 'env', envVar: 'MEKARI_API_CLIENT_ID' };
    } else if (profileMatches && profile?.clientId) {
      clientId = { value: profile.clientId, source: 'config' };
    }

    const secrets: ResolvedAuth['secrets'] = {};
    const wanted = [...REQUIRED_SECRETS[method], ...OPTIONAL_SECRETS[method]];
    const missing: SecretName[] = [];
    for (const name of wanted) {
      const envVar = SECRET_ENV[method][name];
      const v = envVar ? set(env, envVar) : undefined;
      if (v !== undefined) secrets[name] = { value: v, source: 'env', envVar: envVar! };
      else missing.push(name);
    }
    let keychainProblem: string | undefined;
    // Only a logged-in profile has anything stored; the environment alone never touches the keychain.
    if (missing.length > 0 && profileMatches) {
      if (profile?.storage !== 'file') {
        try {
          const values = await this.opts.keychain.getMany(missing.map((n) => CredentialStore.account(profileName, n)));
          missing.forEach((n, i) => {
            const v = values[i];
            if (v) secrets[n] = { value: v, source: 'keychain' };
          });
        } catch (err) {
          if (!(err instanceof KeychainUnavailableError)) throw err;
          keychainProblem = err.reason;
        }
      }
      const file = await this.readFile();
      for (const n of missing) {
        const v = file.secrets[CredentialStore.account(profileName, n)];
        if (!secrets[n] && v) secrets[n] = { value: v, source: 'file' };
      }
    }
    return { profile: profileName, provider, method, baseUrl, clientId, secrets, keychainProblem };
  }

  /** Stores secrets in the keychain, or in the 0600 file when asked to. */
  async save(profile: string, values: Partial<Record<SecretName, string>>, insecure: boolean): Promise<void> {
    if (insecure) {
      const file = await this.readFile();
      for (const [name, v] of Object.entries(values)) file.secrets[CredentialStore.account(profile, name as SecretName)] = v;
      await writeFileAtomic(this.opts.insecureFile, `${JSON.stringify(file, null, 2)}\n`);
      return;
    }
    for (const [name, v] of Object.entries(values)) {
      await this.opts.keychain.set(CredentialStore.account(profile, name as SecretName), v);
    }
  }

  /** Removes every secret of the profile from the keychain and the file; returns where something was removed. */
  async remove(profile: string): Promise<{ keychain: number; file: number; keychainProblem?: string }> {
    const names: SecretName[] = ['client-secret', 'access-token', 'refresh-token', 'api-key'];
    let keychain = 0;
    let keychainProblem: string | undefined;
    try {
      for (const n of names) if (await this.opts.keychain.delete(CredentialStore.account(profile, n))) keychain++;
    } catch (err) {
      if (!(err instanceof KeychainUnavailableError)) throw err;
      keychainProblem = err.reason;
    }
    const file = await this.readFile();
    let removed = 0;
    for (const n of names) {
      const key = CredentialStore.account(profile, n);
      if (key in file.secrets) {
        delete file.secrets[key];
        removed++;
      }
    }
    if (removed > 0) await writeFileAtomic(this.opts.insecureFile, `${JSON.stringify(file, null, 2)}\n`);
    return { keychain, file: removed, ...(keychainProblem ? { keychainProblem } : {}) };
  }

  private async readFile(): Promise<FileSecrets> {
    try {
      const parsed = JSON.parse(await readFile(this.opts.insecureFile, 'utf8')) as FileSecrets;
      return parsed.version === 1 && parsed.secrets ? parsed : { version: 1, secrets: {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new AuthError(`${this.opts.insecureFile} cannot be read: ${(err as Error).message}`);
    }
  }
}
