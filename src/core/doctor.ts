// `wa-cli doctor`: every check a first send depends on, in the order a send meets them, each with its fix. It calls
// what a send calls (credential resolution, the keychain behind it, the provider's live check, lock files, the run
// listing) and changes nothing but a probe file it removes again.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Env } from '../env.js';
import type { Paths } from '../config/paths.js';
import { envHint, REQUIRED_SECRETS, type ResolvedAuth, type Sourced } from '../config/credentials.js';
import type { Profile } from '../config/profiles.js';
import { AuthError, WaError } from '../errors.js';
import { proxySettings } from '../providers/http-target.js';
import { HMAC_WINDOW_S } from '../providers/hmac.js';
import { CLOCK_SLACK_MS } from './runs/on-server.js';
import type { AuthCheck, Provider } from '../providers/port.js';
import { lockFile } from './runs/paths.js';
import { inspectLock } from './runs/lock.js';

export type CheckStatus = 'ok' | 'fail' | 'skip';

export interface Check {
  id: 'node' | 'config-folder' | 'state-folder' | 'keychain' | 'credentials' | 'server' | 'accepted' | 'clock' | 'channel' | 'templates' | 'locks' | 'runs';
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorDeps {
  nodeVersion: string;
  paths: Paths;
  env: Env;
  profileName: string;
  profile: Profile | undefined;
  now: () => number;
  resolveAuth: () => Promise<ResolvedAuth>;
  /** The missing-credential error a send would raise, for its message and fix. */
  missingCredential: (auth: ResolvedAuth) => WaError;
  provider: () => Promise<Provider>;
  /** Asks the OS keychain for nothing in particular, behind its 3-second guard; rejects when it cannot answer. */
  probeKeychain: () => Promise<void>;
  /** Unfinished fan-out runs on this machine, with the command that continues each. */
  unfinishedRuns: () => Promise<{ id: string; name: string; resume: string | null }[]>;
}

/** The Node versions wa-cli supports (package.json engines). */
const NODE_MIN = [20, 19] as const;
/**
 * How far this computer's clock may be from the server's: Qontak accepts HMAC signatures within a window, and a
 * Konekwa run looks a lost answer up among the messages created since its start, less a slack.
 */
const clockWindow = (method: ResolvedAuth['method']): { seconds: number; pastIt: string } =>
  method === 'hmac' ? { seconds: HMAC_WINDOW_S, pastIt: 'signed requests are refused past' } : { seconds: CLOCK_SLACK_MS / 1000, pastIt: 'a lost answer is looked up with a slack of' };

const where = (s: Sourced | undefined): string => (!s ? 'not set' : s.source === 'env' ? `the environment (${s.envVar})` : s.source === 'keychain' ? 'the OS keychain' : s.source === 'file' ? 'the 0600 file' : s.source);

export async function runDoctor(d: DoctorDeps): Promise<Check[]> {
  const checks: Check[] = [nodeCheck(d.nodeVersion)];
  checks.push(await folderCheck('config-folder', 'config folder', d.paths.configDir, 'WA_CONFIG_DIR'));
  checks.push(await folderCheck('state-folder', 'state folder', d.paths.stateDir, 'WA_STATE_DIR'));

  let auth: ResolvedAuth | undefined;
  let authProblem: string | undefined;
  try {
    auth = await d.resolveAuth();
  } catch (err) {
    if (!(err instanceof WaError)) throw err;
    authProblem = err.hint ? `${err.message} ${err.hint}` : err.message;
  }
  checks.push(await keychainCheck(auth, d));
  const missing = auth ? REQUIRED_SECRETS[auth.method].filter((n) => !auth!.secrets[n]) : [];
  const noClientId = auth?.method === 'hmac' && !auth.clientId;
  const credsOk = auth !== undefined && missing.length === 0 && !noClientId;
  if (!auth) checks.push({ id: 'credentials', title: 'credentials', status: 'fail', detail: authProblem ?? 'cannot be resolved', fix: 'Set WA_PROVIDER to qontak or konekwa.' });
  else if (!credsOk) {
    const e = d.missingCredential(auth);
    checks.push({ id: 'credentials', title: 'credentials', status: 'fail', detail: noClientId && missing.length === 0 ? `profile "${auth.profile}" has no client id` : e.message, fix: e.hint ?? 'Run `wa-cli auth login`.' });
  } else checks.push({ id: 'credentials', title: 'credentials', status: 'ok', detail: `profile "${auth.profile}", ${auth.provider} (${auth.method}): ${credentialNames(auth).map((c) => `${c.name} from ${where(c.from)}`).join(', ')}` });

  if (!auth || !credsOk) {
    for (const [id, title] of [['server', 'base URL'], ['accepted', 'credentials accepted'], ['clock', 'clock'], ['channel', 'channel'], ['templates', 'approved template']] as const) {
      checks.push({ id, title, status: 'skip', detail: 'not checked: needs credentials' });
    }
  } else checks.push(...(await serverChecks(d, auth)));

  checks.push(await lockCheck(d.paths.stateDir));
  checks.push(await runCheck(d));
  return checks;
}

function nodeCheck(version: string): Check {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
  return { id: 'node', title: 'Node.js', status: ok ? 'ok' : 'fail', detail: `${version}${ok ? '' : `, older than ${NODE_MIN.join('.')}`}`, ...(ok ? {} : { fix: `Install Node ${NODE_MIN.join('.')} or later (20, 22 and 24 are supported).` }) };
}

/** A folder wa-cli writes to: created if missing, then a probe file written and removed. */
async function folderCheck(id: 'config-folder' | 'state-folder', title: string, dir: string, variable: string): Promise<Check> {
  const probe = path.join(dir, `.doctor-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(probe, 'ok', { mode: 0o600 });
    await rm(probe, { force: true });
    return { id, title, status: 'ok', detail: `${dir} is writable` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { id, title, status: 'fail', detail: `${dir} cannot be written (${code})`, fix: `Make it writable, free space, or point ${variable} at a writable folder.` };
  }
}

const credentialNames = (auth: ResolvedAuth): { name: string; from: Sourced | undefined }[] => [
  ...(auth.method === 'hmac' ? [{ name: 'client id', from: auth.clientId }] : []),
  ...REQUIRED_SECRETS[auth.method].map((n) => ({ name: n, from: auth.secrets[n] })),
];

/** The keychain matters only where a secret is (or would be) kept there; its 3-second guard has run when asked. */
async function keychainCheck(auth: ResolvedAuth | undefined, d: DoctorDeps): Promise<Check> {
  const profile = d.profile;
  const title = 'keychain';
  if (!auth) return { id: 'keychain', title, status: 'skip', detail: 'not checked: no provider' };
  const sources = REQUIRED_SECRETS[auth.method].map((n) => auth.secrets[n]);
  if (sources.length > 0 && sources.every((s) => s?.source === 'env')) return { id: 'keychain', title, status: 'ok', detail: `not needed: the secrets come from the environment (${sources.map((s) => s!.envVar).join(', ')})` };
  if (auth.keychainProblem) {
    return { id: 'keychain', title, status: 'fail', detail: `not reachable: ${auth.keychainProblem}`, fix: `Unlock it, or set ${envHint(auth.method)}, or run \`wa-cli auth login --insecure-storage\` (a 0600 file).` };
  }
  if (sources.some((s) => s?.source === 'keychain')) return { id: 'keychain', title, status: 'ok', detail: 'answered within its 3 s guard' };
  if (profile?.storage === 'file' || sources.some((s) => s?.source === 'file')) return { id: 'keychain', title, status: 'ok', detail: 'not used: the profile keeps its secrets in the 0600 file' };
  // Nothing stored yet: whether `auth login` could store it there.
  try {
    await d.probeKeychain();
    return { id: 'keychain', title, status: 'ok', detail: 'reachable (answered within its 3 s guard); this profile keeps no secret in it yet' };
  } catch (err) {
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    return { id: 'keychain', title, status: 'fail', detail: `not reachable: ${reason}`, fix: `Set ${envHint(auth.method)}, or run \`wa-cli auth login --insecure-storage\` (a 0600 file).` };
  }
}

/** What the live check, the channels and the templates say: reachability, acceptance, clock, channel, template. */
async function serverChecks(d: DoctorDeps, auth: ResolvedAuth): Promise<Check[]> {
  const base = auth.baseUrl.value;
  let proxy: string | undefined;
  let noProxy = '';
  try {
    const settings = proxySettings(new URL(base), d.env);
    proxy = settings?.used.url;
    noProxy = settings?.noProxy ?? '';
  } catch {
    proxy = undefined;
  }
  // NO_PROXY is undici's to apply, so a host it exempts is named with it rather than guessed.
  const route = proxy ? `through the proxy ${redactProxy(proxy)}${noProxy ? ` unless NO_PROXY (${noProxy}) exempts it` : ''}` : 'direct, no proxy';
  const credentials = credentialNames(auth).map((c) => `${c.name} from ${where(c.from)}`).join(', ');
  let provider: Provider;
  let check: AuthCheck;
  try {
    provider = await d.provider();
    check = await provider.checkAuth();
  } catch (err) {
    if (!(err instanceof WaError)) throw err;
    const said = err.hint ? `${err.message} ${err.hint}` : err.message;
    const skipRest: Check[] = [
      { id: 'channel', title: 'channel', status: 'skip', detail: 'not checked: the server did not accept the check' },
      { id: 'templates', title: 'approved template', status: 'skip', detail: 'not checked: the server did not accept the check' },
    ];
    const skew = /clock is (\d+) minutes? (ahead of|behind)/.exec(err.message);
    const clock: Check = skew
      ? { id: 'clock', title: 'clock', status: 'fail', detail: `${skew[1]} minute(s) ${skew[2]} the server's (signatures are accepted within ${HMAC_WINDOW_S / 60} minutes)`, fix: 'Set the clock right, e.g. `timedatectl set-ntp true`.' }
      : { id: 'clock', title: 'clock', status: 'skip', detail: 'not checked: no answer to compare with' };
    if (err instanceof AuthError) {
      return [
        { id: 'server', title: 'base URL', status: 'ok', detail: `${base} answered (${route})` },
        { id: 'accepted', title: 'credentials accepted', status: 'fail', detail: `the server refused ${credentials}: ${err.message}`, fix: skew ? 'The credentials may be fine: set the clock right first.' : `Check ${credentialNames(auth).map((c) => (c.from?.envVar ? c.from.envVar : c.name)).join(' and ')}, or run \`wa-cli${auth.profile === 'default' ? '' : ` -p ${auth.profile}`} auth login\` again.` },
        clock,
        ...skipRest,
      ];
    }
    return [
      { id: 'server', title: 'base URL', status: 'fail', detail: `${base} (${route}): ${said}`, fix: `Check the base URL (from ${where(auth.baseUrl)}), the network${proxy ? ', the proxy' : ''} and any certificate it presents.` },
      { id: 'accepted', title: 'credentials accepted', status: 'skip', detail: 'not checked: the server did not answer' },
      clock,
      ...skipRest,
    ];
  }
  const out: Check[] = [
    { id: 'server', title: 'base URL', status: 'ok', detail: `${base} answered${base.startsWith('https:') ? ' over TLS, certificate trusted' : ''} (${route})` },
    { id: 'accepted', title: 'credentials accepted', status: 'ok', detail: `${credentials}: ${check.detail}` },
    clockCheck(check.serverDate, d.now(), clockWindow(auth.method)),
  ];
  out.push(await channelCheck(provider, d));
  out.push(await templateCheck(provider));
  return out;
}

const redactProxy = (p: string): string => p.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');

function clockCheck(serverDate: string | undefined, now: number, window: { seconds: number; pastIt: string }): Check {
  const at = serverDate ? Date.parse(serverDate) : NaN;
  if (Number.isNaN(at)) return { id: 'clock', title: 'clock', status: 'skip', detail: 'not checked: the server sent no Date' };
  const skewS = Math.round((now - at) / 1000);
  const side = skewS > 0 ? 'ahead of' : 'behind';
  // The Date header has whole seconds: a second either way is no skew.
  if (Math.abs(skewS) <= 1) return { id: 'clock', title: 'clock', status: 'ok', detail: `within a second of the server's (${serverDate})` };
  if (Math.abs(skewS) <= window.seconds) return { id: 'clock', title: 'clock', status: 'ok', detail: `${Math.abs(skewS)} s ${side} the server's (up to ${window.seconds} s is tolerated)` };
  return { id: 'clock', title: 'clock', status: 'fail', detail: `${Math.abs(skewS)} s ${side} the server's (${serverDate}); ${window.pastIt} ${window.seconds} s`, fix: 'Set the clock right, e.g. `timedatectl set-ntp true`.' };
}

/** The channel a send would use (WA_CHANNEL, the profile's default, else any) can send now. */
async function channelCheck(provider: Provider, d: DoctorDeps): Promise<Check> {
  const fix = provider.name === 'konekwa' ? 'Connect the session in the Konekwa gateway (scan its QR code), or choose another with --channel.' : 'Activate the channel integration in Qontak, or choose another with --channel.';
  let channels;
  try {
    channels = await provider.listChannels();
  } catch (err) {
    if (!(err instanceof WaError)) throw err;
    return { id: 'channel', title: 'channel', status: 'fail', detail: `cannot be listed: ${err.message}`, fix };
  }
  const wanted = (d.env.WA_CHANNEL || d.profile?.defaultChannel || '').split(',').map((c) => c.trim()).filter(Boolean);
  if (wanted.length > 0) {
    const bad = wanted.map((id) => ({ id, c: channels.find((c) => c.id === id) })).filter((x) => !x.c?.canSend);
    const source = d.env.WA_CHANNEL ? 'WA_CHANNEL' : 'the profile\'s defaultChannel';
    if (bad.length === 0) return { id: 'channel', title: 'channel', status: 'ok', detail: `${wanted.join(', ')} (${source}) can send` };
    return { id: 'channel', title: 'channel', status: 'fail', detail: bad.map((b) => (b.c ? `${b.id} (${source}) is ${b.c.status}` : `${b.id} (${source}) is not on the account`)).join('; '), fix };
  }
  const ready = channels.filter((c) => c.canSend);
  if (ready.length === 0) return { id: 'channel', title: 'channel', status: 'fail', detail: channels.length ? `none of ${channels.length} can send (${channels.map((c) => `${c.id} ${c.status}`).join(', ')})` : 'the account has none', fix };
  return { id: 'channel', title: 'channel', status: 'ok', detail: `${ready.length} of ${channels.length} can send (${ready.slice(0, 3).map((c) => c.id).join(', ')}${ready.length > 3 ? ', …' : ''})` };
}

async function templateCheck(provider: Provider): Promise<Check> {
  try {
    for await (const t of provider.listTemplates({ status: 'APPROVED', max: 1 })) return { id: 'templates', title: 'approved template', status: 'ok', detail: `at least one (${t.name}${t.language ? ` ${t.language}` : ''})` };
  } catch (err) {
    if (!(err instanceof WaError)) throw err;
    return { id: 'templates', title: 'approved template', status: 'fail', detail: `cannot be listed: ${err.message}`, fix: 'See `wa-cli templates list`.' };
  }
  return { id: 'templates', title: 'approved template', status: 'fail', detail: 'none on the account', fix: 'Create one (`wa-cli templates create FILE --wait`) and wait for its approval.' };
}

/** Locks left in the state folder: a stale one (its process died here) is named; a live one is a send in progress. */
async function lockCheck(stateDir: string): Promise<Check> {
  const dir = path.dirname(lockFile(stateDir, 'x'));
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.lock')).sort();
  } catch {
    names = [];
  }
  const stale: string[] = [];
  const busy: string[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    const lock = await inspectLock(file);
    if (!lock) continue;
    const h = lock.holder;
    const who = h ? `pid ${h.pid} on ${h.host} since ${h.startedAt}` : 'unreadable';
    if (lock.state === 'stale' || lock.state === 'unreadable') stale.push(`${file} (${who}${lock.state === 'stale' ? ', that process is gone' : ''})`);
    else busy.push(`${file} (${who}${lock.state === 'elsewhere' ? ', another host' : ''})`);
  }
  if (stale.length > 0) {
    return { id: 'locks', title: 'locks', status: 'fail', detail: `stale: ${stale.join('; ')}`, fix: 'Run the same send again (it takes a dead process\'s lock over and continues), or remove the file once no run uses it.' };
  }
  return { id: 'locks', title: 'locks', status: 'ok', detail: busy.length ? `none stale; held now: ${busy.join('; ')}` : 'none left in the state folder' };
}

async function runCheck(d: DoctorDeps): Promise<Check> {
  const unfinished = await d.unfinishedRuns();
  if (unfinished.length === 0) return { id: 'runs', title: 'unfinished runs', status: 'ok', detail: 'none' };
  return {
    id: 'runs',
    title: 'unfinished runs',
    status: 'fail',
    detail: unfinished.map((r) => `${r.id} (${r.name})`).join(', '),
    fix: unfinished.map((r) => r.resume).filter(Boolean).join('; ') || 'See `wa-cli broadcast list`.',
  };
}
