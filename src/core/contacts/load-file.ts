// Reading a contact spreadsheet named on the command line: the country checked once, the sheet read and validated.
import { UsageError } from '../../errors.js';
import type { ContactReport, CountryCode } from './index.js';

/** The country code upper-cased and known to libphonenumber, or a usage error naming --country. */
export async function checkCountry(country: string): Promise<CountryCode> {
  const { getCountries } = await import('libphonenumber-js');
  const code = country.toUpperCase();
  if (!(getCountries() as string[]).includes(code)) throw new UsageError(`--country ${country} is not a country code (ID, MY, SG, …).`);
  return code as CountryCode;
}

export async function loadContactFile(file: string, opts: { country: string; sheet?: string | undefined }): Promise<ContactReport> {
  const country = await checkCountry(opts.country);
  const { readSheet, validateContacts } = await import('./index.js');
  const sheet = await readSheet(file, opts.sheet ? { sheet: opts.sheet } : {});
  return validateContacts(sheet, { country });
}
