// Non-secret settings per profile, in one versioned JSON file. Secrets live in the credential store, never here.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import { hasUserinfo, redactUrl } from './base-url.js';
import { UsageError } from '../errors.js';

export type ProviderName = 'qontak' | 'konekwa';
export type AuthMethod = 'hmac' | 'oauth' | 'api-key';

export interface Profile {
  provider?: ProviderName;
  method?: AuthMethod;
  baseUrl?: string;
  clientId?: string;
  defaultChannel?: string;
  defaultCountry?: string;
  defaultLanguage?: string;
  /** Rupiah per recipient, for the cost estimate shown before a send. */
  costPerMessage?: number;
  /** Template rule severities: rule id → error | warning | off. */
  rules?: Record<string, 'error' | 'warning' | 'off'>;
  /** Marketing sends do not start inside this local window, e.g. "21:00-08:00" (in timeZone). */
  quietHours?: string;
  /** IANA zone of quietHours, e.g. "Asia/Jakarta" (default UTC). */
  timeZone?: string;
  /** Replies that opt a sender out (`wa-cli optout sync`); default STOP, BERHENTI, UNSUBSCRIBE. */
  stopWords?: string[];
  /** Where the secrets were stored at login. */
  storage?: 'keychain' | 'file';
}

export interface ConfigFile {
  version: 1;
  profiles: Record<string, Profile>;
}

/** The country of numbers written without a country code, when neither --country nor the profile names one. */
export const DEFAULT_COUNTRY = 'ID';

/** The country for numbers written without a country code: the --country flag, else the profile's, else Indonesia. */
export function countryFor(flag: string | undefined, profile: Profile | undefined): string {
  return flag ?? profile?.defaultCountry ?? DEFAULT_COUNTRY;
}

const empty = (): ConfigFile => ({ version: 1, profiles: {} });

/** The file's shape as the README shows it, for a file written by hand that does not have it. */
const SHAPE = 'It holds {"version": 1, "profiles": {"default": {"provider": "konekwa", …}, "NAME": {…}}}; "version" may be left out.';

export class ConfigStore {
  private data: ConfigFile | undefined;
  constructor(readonly file: string) {}

  async load(): Promise<ConfigFile> {
    if (this.data) return this.data;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.data = empty());
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError(`${this.file} is not valid JSON.`, { hint: 'Fix or delete it, then log in again.' });
    }
    const cfg = parsed as Partial<ConfigFile> | null;
    // `version` may be left out of a file written by hand: it then means the only format there is, 1.
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) throw new UsageError(`${this.file} is not a JSON object.`, { hint: SHAPE });
    if (cfg.version !== undefined && cfg.version !== 1) {
      throw new UsageError(`${this.file} has "version": ${JSON.stringify(cfg.version)}; this wa-cli reads version 1 (or none).`, { hint: SHAPE });
    }
    if (typeof cfg.profiles !== 'object' || cfg.profiles === null || Array.isArray(cfg.profiles)) {
      throw new UsageError(`${this.file} has no "profiles" object${cfg.profiles === undefined ? '' : ` (its "profiles" is ${JSON.stringify(cfg.profiles)})`}.`, { hint: SHAPE });
    }
    return (this.data = { ...cfg, version: 1, profiles: cfg.profiles });
  }

  async profile(name: string): Promise<Profile | undefined> {
    return (await this.load()).profiles[name];
  }

  async saveProfile(name: string, profile: Profile): Promise<void> {
    // Never stored: a password in a URL would sit in plain configuration.
    if (profile.baseUrl !== undefined && hasUserinfo(profile.baseUrl)) throw new UsageError(`base URL "${redactUrl(profile.baseUrl)}" carries a user name or password; not saved.`);
    const cfg = await this.load();
    cfg.profiles[name] = profile;
    await writeFileAtomic(this.file, `${JSON.stringify(cfg, null, 2)}\n`);
  }

  async removeProfile(name: string): Promise<boolean> {
    const cfg = await this.load();
    if (!(name in cfg.profiles)) return false;
    delete cfg.profiles[name];
    await writeFileAtomic(this.file, `${JSON.stringify(cfg, null, 2)}\n`);
    return true;
  }
}
