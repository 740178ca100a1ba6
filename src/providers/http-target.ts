// Where a request goes: its URL built from the base URL, the path and the query, read without a parse where it is
// plain, and the proxy it goes through, as curl and undici read the proxy variables.
import type { Env } from '../env.js';
import type { ProxySettings } from './transport.js';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

/** What a request needs of its URL. */
export interface Target {
  href: string;
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
}

/** A base URL's origin, read once: URL's getters build a new string on every call. */
export interface Origin {
  origin: string;
  protocol: string;
  hostname: string;
  port: string;
}

// A path and query that URL parsing would leave as they are: no dot segments (written or escaped), no character it
// would escape, escapes already in upper-case hex.
const PLAIN_PATH = /^(?!.*%2E)(?:\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]*(?:%[0-9A-F]{2}[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)+(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]+)?$/;

/**
 * `url` as URL would read it, without parsing it, when it is this origin's and plain (see PLAIN_PATH); else
 * undefined. A fan-out sends to one path thousands of times, and a URL parse per request is garbage.
 */
export function plainTarget(origin: Origin, url: string): Target | undefined {
  const base = origin.origin;
  if (!url.startsWith(base)) return undefined;
  const rest = url.slice(base.length);
  if (!PLAIN_PATH.test(rest)) return undefined;
  const q = rest.indexOf('?');
  return { href: url, protocol: origin.protocol, hostname: origin.hostname, port: origin.port, pathname: q === -1 ? rest : rest.slice(0, q), search: q === -1 ? '' : rest.slice(q) };
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The proxy a client goes through, with the variable that named it. */
export type ProxyInUse = ProxySettings & { used: { name: string; url: string } };

/**
 * The proxy variables as curl and undici read them (the lower-case name first), or undefined for a direct connection:
 * none set, or a loopback origin, which never goes through a proxy. Which hosts NO_PROXY exempts is undici's to decide.
 */
export function proxySettings(url: URL, env: Env): ProxyInUse | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  const pick = (...names: string[]): { name: string; url: string } | undefined => {
    for (const name of names) {
      const v = env[name];
      if (v !== undefined && v !== '') return { name, url: v };
    }
    return undefined;
  };
  // Only the variable of the origin's scheme: HTTP_PROXY does not carry HTTPS requests.
  const used = url.protocol === 'https:' ? pick('https_proxy', 'HTTPS_PROXY') : pick('http_proxy', 'HTTP_PROXY');
  if (!used) return undefined;
  // Empty strings, not undefined: undici would otherwise read process.env itself.
  return { httpProxy: used.url, httpsProxy: used.url, noProxy: pick('no_proxy', 'NO_PROXY')?.url ?? '', used };
}

/** A URL, or undefined where the text is none. */
export function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
