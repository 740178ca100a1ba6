// A base URL can carry a user name and password (https://user:pass@host). wa-cli takes secrets only through the
// keychain, a 0600 file or the environment's secret variables: userinfo in a URL would be printed and stored as
// plain configuration, so it is refused at login and shown redacted wherever else it turns up.

export function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    // Not parseable as a URL: look for the shape itself, so a malformed one is not printed with its secret.
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
  }
}

/** The URL with any userinfo replaced by "***", safe to print. */
export function redactUrl(url: string): string {
  if (!hasUserinfo(url)) return url;
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}
