// HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as curl reads them. Loopback never goes through a proxy.
import type { Env } from '../env.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function noProxyMatches(noProxy: string, hostname: string, port: string): boolean {
  const host = hostname.toLowerCase();
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      if (raw === '*') return true;
      const [entryHost, entryPort] = raw.toLowerCase().split(':') as [string, string | undefined];
      if (entryPort && entryPort !== port) return false;
      const bare = entryHost.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy URL for a target, or undefined for a direct connection. */
export function proxyFor(target: URL, env: Env): string | undefined {
  if (isLoopbackHost(target.hostname)) return undefined;
  const pick = (...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const noProxy = pick('NO_PROXY', 'no_proxy');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  if (noProxy && noProxyMatches(noProxy, target.hostname, port)) return undefined;
  return target.protocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy') : pick('HTTP_PROXY', 'http_proxy');
}
