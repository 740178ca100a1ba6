// Header names as Qontak wants them: lowercase, no spaces, phone_number and full_name first,
// every other column a contact variable named ^[a-z0-9_]{2,16}$.

export const PHONE = 'phone_number';
export const NAME = 'full_name';
export const VARIABLE_NAME = /^[a-z0-9_]{2,16}$/;

/** Common names people give the two required columns (English and Indonesian), after normalising. */
const PHONE_ALIASES = new Set([
  'phone', 'phonenumber', 'phone_no', 'mobile', 'mobile_number', 'msisdn', 'hp', 'no_hp', 'nohp', 'nomor_hp',
  'nomor', 'no_telp', 'no_telepon', 'nomor_telepon', 'telepon', 'telp', 'handphone', 'whatsapp', 'wa',
  'no_wa', 'nomor_wa', 'nomor_whatsapp', 'no_whatsapp', 'whatsapp_number',
]);
const NAME_ALIASES = new Set(['name', 'nama', 'fullname', 'nama_lengkap', 'customer_name', 'nama_pelanggan', 'contact_name']);

/** Lowercase, trimmed, runs of spaces, dots and dashes as one underscore. */
export function normaliseHeader(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s.\-]+/g, '_');
}

export function aliasTarget(normalised: string): typeof PHONE | typeof NAME | undefined {
  if (PHONE_ALIASES.has(normalised)) return PHONE;
  if (NAME_ALIASES.has(normalised)) return NAME;
  return undefined;
}

/** Whether a header text is one we would recognise at all (used to tell a header row from a data row). */
export function isKnownHeader(text: string): boolean {
  const n = normaliseHeader(text);
  return n === PHONE || n === NAME || aliasTarget(n) !== undefined;
}

/** A legal variable name close to the given one, to suggest as the fix; undefined when nothing sensible is left. */
export function suggestVariableName(normalised: string): string | undefined {
  const s = normalised
    .normalize('NFKD')
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 16)
    .replace(/_$/, '');
  return VARIABLE_NAME.test(s) ? s : undefined;
}
