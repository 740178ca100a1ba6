// The one guard against a blind retry of a POST that may have acted: every adapter that creates something it can look
// up by name (a contact list, a template) creates it through here.
import { TransportError } from './errors.js';
import type { RequestSpec } from './http.js';

/**
 * A POST that may have acted is never repeated blindly (qontak.md: "Never blindly retry a POST whose outcome is
 * unknown"). On a 429, a 5xx, a lost answer or an answer without the object, `find` looks for what the POST would
 * have made; the POST goes again only when it is absent, at most `attempts` times in all. `post` passes the `on429`
 * it is given to its request, so that a 429 is looked into before anything is sent again.
 */
export async function postUnlessFound<T>(post: (on429: NonNullable<RequestSpec['on429']>) => Promise<T>, find: () => Promise<T | undefined>, attempts = 2): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let found: T | undefined;
    try {
      return await post(async () => {
        try {
          found = await find();
          return found === undefined ? 'absent' : 'present';
        } catch {
          return 'unknown';
        }
      });
    } catch (err) {
      if (!(err instanceof TransportError) || !err.maybeActed || err.acted === 'unknown') throw err;
      if (err.acted === 'present' && found !== undefined) return found;
      let seen: T | undefined;
      try {
        seen = await find();
      } catch {
        throw err;
      }
      if (seen !== undefined) return seen;
      if (attempt >= attempts) throw err;
    }
  }
}
