// Reading a contact spreadsheet named on the command line: the country checked once, the sheet read and validated.
import { UsageError } from '../../errors.js';
import type { Env } from '../../env.js';
import type { ContactReport, ContactScan, CountryCode, NormalisedContact, SheetData } from './index.js';

/** The country code upper-cased and known to libphonenumber, or a usage error naming --country. */
export async function checkCountry(country: string): Promise<CountryCode> {
  const { getCountries } = await import('libphonenumber-js');
  const code = country.toUpperCase();
  if (!(getCountries() as string[]).includes(code)) throw new UsageError(`--country ${country} is not a country code (ID, MY, SG, …).`);
  return code as CountryCode;
}

/** WA_MAX_SHEET_MB: the most megabytes an .xlsx may inflate to (the reader's default when unset). */
export function maxSheetBytes(env: Env): { maxInflatedBytes?: number } {
  const raw = env.WA_MAX_SHEET_MB;
  if (raw === undefined || raw === '') return {};
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`WA_MAX_SHEET_MB=${raw}: give a whole number of megabytes, e.g. 500.`);
  return { maxInflatedBytes: Number(raw) * 1024 * 1024 };
}

type LoadOptions = { country: string; sheet?: string | undefined; maxInflatedBytes?: number };

/** The sheet read with its country checked once. */
async function openContactFile(file: string, opts: LoadOptions): Promise<{ sheet: SheetData; country: CountryCode }> {
  const country = await checkCountry(opts.country);
  const { readSheet } = await import('./index.js');
  return { country, sheet: await readSheet(file, { ...(opts.sheet ? { sheet: opts.sheet } : {}), ...(opts.maxInflatedBytes ? { maxInflatedBytes: opts.maxInflatedBytes } : {}) }) };
}

/** The same read in one pass, each valid contact handed out as it is read and not kept. */
export async function scanContactFile(
  file: string,
  opts: LoadOptions,
  onValid: (c: NormalisedContact) => void,
  onColumns?: (c: Pick<ContactReport, 'columns' | 'variableNames'>) => void,
): Promise<ContactScan> {
  const { sheet, country } = await openContactFile(file, opts);
  const { scanContacts } = await import('./index.js');
  return scanContacts(sheet, { country }, onValid, onColumns);
}

export async function loadContactFile(file: string, opts: LoadOptions): Promise<ContactReport> {
  const { sheet, country } = await openContactFile(file, opts);
  const { validateContacts } = await import('./index.js');
  return validateContacts(sheet, { country });
}
