// What every optout verb needs: the profile's list and its country for numbers written without one.
import type { Context } from '../../cli/context.js';
import { UsageError } from '../../errors.js';
import { OptOutList } from '../../core/optout/list.js';
import type { CountryCode } from '../../core/contacts/index.js';
import { countryFor } from '../../config/profiles.js';

export const openList = (ctx: Context): OptOutList => new OptOutList(ctx.paths.stateDir, ctx.profileName, ctx.now);

export async function countryOf(ctx: Context, flag: string | undefined): Promise<CountryCode> {
  const profile = await (await ctx.config()).profile(ctx.profileName);
  const { checkCountry } = await import('../../core/contacts/load-file.js');
  return checkCountry(countryFor(flag, profile));
}

/** Each number normalised, or a one-line error naming the argument. */
export async function normaliseArgs(numbers: string[], country: CountryCode): Promise<string[]> {
  const { normalisePhoneText } = await import('../../core/contacts/index.js');
  return numbers.map((n) => {
    const r = normalisePhoneText(n, country);
    if (!r.ok) throw new UsageError(`${n}: ${r.message}.`);
    return r.phone;
  });
}
