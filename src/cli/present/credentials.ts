// A profile's credentials: where each comes from (`auth status`), what `auth login` stored and `auth logout` removed.
import type { ResolvedAuth, SecretName, Sourced } from '../../config/credentials.js';
import { redactUrl } from '../../config/base-url.js';

const describe = (s: Sourced | undefined): string =>
  !s ? 'not set' : s.source === 'env' ? `environment (${s.envVar})` : s.source === 'keychain' ? 'OS keychain' : s.source === 'file' ? '0600 file' : s.source;

/** A secret's name as a key: client-secret → clientSecret. */
const secretKey = (n: string): string => n.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

export interface AuthStatus {
  auth: ResolvedAuth;
  /** The secrets the method needs, then any other stored. */
  secretNames: readonly SecretName[];
  /** The live check; undefined with --offline. */
  check: { ok: boolean; detail: string } | undefined;
}

export const authStatus = {
  toJson: ({ auth, secretNames, check }: AuthStatus) => ({
    profile: auth.profile,
    provider: auth.provider,
    method: auth.method,
    baseUrl: redactUrl(auth.baseUrl.value),
    baseUrlSource: auth.baseUrl.source,
    clientId: auth.clientId?.value ?? null,
    clientIdSource: auth.clientId ? describe(auth.clientId) : null,
    /** Where each secret comes from, by its name (clientSecret, accessToken, refreshToken, apiKey). */
    secrets: Object.fromEntries(secretNames.map((n) => [secretKey(n), describe(auth.secrets[n])])),
    keychainProblem: auth.keychainProblem ?? null,
    check: check ?? null,
  }),
  details: ({ auth, secretNames, check }: AuthStatus): [string, unknown][] => {
    const pairs: [string, unknown][] = [
      ['profile', auth.profile],
      ['provider', `${auth.provider} (${auth.method})`],
      ['base URL', `${redactUrl(auth.baseUrl.value)} [${describe(auth.baseUrl)}]`],
    ];
    if (auth.method !== 'api-key') pairs.push(['client id', auth.clientId ? `${auth.clientId.value} [${describe(auth.clientId)}]` : 'not set']);
    for (const n of secretNames) pairs.push([n, describe(auth.secrets[n])]);
    if (auth.keychainProblem) pairs.push(['keychain', auth.keychainProblem]);
    if (check) pairs.push(['check', check.ok ? `ok, ${check.detail}` : `FAILED: ${check.detail}`]);
    return pairs;
  },
};

export const loginJson = (l: { profile: string; provider: string; method: string; baseUrl: string; storage: string | undefined }) => ({
  profile: l.profile,
  provider: l.provider,
  method: l.method,
  baseUrl: redactUrl(l.baseUrl),
  storage: l.storage ?? null,
});

export const logoutJson = (l: { profile: string; keychain: number; file: number; profileRemoved: boolean }) => ({
  profile: l.profile,
  // Counts of secrets removed; `file` is a path wherever else it appears.
  removedFromKeychain: l.keychain,
  removedFromFile: l.file,
  profileRemoved: l.profileRemoved,
});
