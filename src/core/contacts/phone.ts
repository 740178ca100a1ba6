// Phone numbers to the form Qontak wants: digits with country code, no '+' (6281234567890).
// Validity comes from libphonenumber-js with full metadata; the common shapes (+62…, 0…, 62…) are split
// into calling code and national number here so only the validity check runs per row, which keeps
// 100k rows well under a second. Anything else goes through libphonenumber's own parser.
import { Metadata, PhoneNumber, getCountryCallingCode, parseDigits, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Cell } from './types.js';

export type { CountryCode };

export type PhoneResult =
  | {
      ok: true;
      phone: string;
      /** set when the number had neither 0 nor a country code in front */
      noPrefix?: boolean;
      /** set when the number is intact but stored in a way that may change it (a numeric cell) */
      caution?: { code: 'phone-numeric-cell'; message: string };
    }
  | { ok: false; code: PhoneProblemCode; message: string };

export type PhoneProblemCode =
  | 'phone-missing'
  | 'phone-numeric-cell'
  | 'phone-leading-zero-lost'
  | 'phone-precision'
  | 'phone-scientific'
  | 'phone-invalid';

interface Plan {
  callingCode: string;
  /** Trunk prefix ('0' in Indonesia) when stripping it is all national parsing does, else undefined. */
  simpleTrunk: string | undefined;
}

const plans = new Map<string, Plan>();

function planFor(country: CountryCode): Plan {
  let p = plans.get(country);
  if (!p) {
    const m = new Metadata();
    m.selectNumberingPlan(country);
    const np = m.numberingPlan as unknown as {
      nationalPrefix(): string | undefined;
      nationalPrefixForParsing(): string | undefined;
      nationalPrefixTransformRule(): string | undefined;
    };
    const prefix = np.nationalPrefix() || undefined;
    const forParsing = np.nationalPrefixForParsing();
    const transform = np.nationalPrefixTransformRule();
    const simple = prefix !== undefined && (!forParsing || forParsing === prefix) && !transform;
    p = { callingCode: getCountryCallingCode(country), simpleTrunk: simple ? prefix : undefined };
    plans.set(country, p);
  }
  return p;
}

// The number types libphonenumber checks after the fixed-line one, in its order (helpers/getNumberType.js).
const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

interface TypeCheck {
  lengths: number[] | undefined;
  pattern: RegExp;
}
/** One calling code's validity rules with their patterns compiled once; null when several countries share the code. */
type Validity = { national: RegExp; types: TypeCheck[] | undefined } | null;
let validities: Map<string, Validity> | undefined;

/**
 * libphonenumber's own validity test (isValid → getNumberType) for a calling code of one country, with its patterns
 * compiled once instead of on every call: the library builds each RegExp anew, which was most of the time of
 * validating a large sheet. A shared calling code (+1, +7, +44…) is left to the library, which picks the country.
 */
function quickValidity(digits: string): boolean | undefined {
  validities ??= new Map();
  for (let n = 1; n <= 3; n++) {
    const code = digits.slice(0, n);
    let v = validities.get(code);
    if (v === undefined) {
      const m = new Metadata();
      const countries = (m as unknown as { countryCallingCodes(): Record<string, string[] | undefined> }).countryCallingCodes()[code];
      if (!countries) continue;
      v = countries.length === 1 ? compileValidity(m, countries[0]!) : null;
      validities.set(code, v);
    }
    if (v === null) return undefined;
    const national = digits.slice(n);
    if (!national) return undefined;
    if (!v.national.test(national)) return false;
    if (!v.types) return true;
    return v.types.some((t) => (!t.lengths || t.lengths.includes(national.length)) && t.pattern.test(national));
  }
  return undefined;
}

function compileValidity(m: Metadata, country: string): Validity {
  m.selectNumberingPlan(country as CountryCode);
  const plan = m as unknown as {
    nationalNumberPattern(): string;
    hasTypes(): boolean;
    type(t: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
  };
  const whole = (p: string): RegExp => new RegExp(`^(?:${p})$`);
  if (!plan.hasTypes()) return { national: whole(plan.nationalNumberPattern()), types: undefined };
  const types: TypeCheck[] = [];
  for (const t of TYPES) {
    const def = plan.type(t);
    if (!def || !def.pattern()) continue;
    types.push({ lengths: def.possibleLengths(), pattern: whole(def.pattern()) });
  }
  return { national: whole(plan.nationalNumberPattern()), types };
}

/** Digits with their country code (no '+'), when they make a valid number: what a gateway gives as a sender. */
export function internationalNumber(digits: string): string | undefined {
  return /^\d+$/.test(digits) && validE164(digits) ? digits : undefined;
}

function validE164(digits: string): boolean {
  if (digits.length < 7 || digits.length > 15) return false;
  const quick = quickValidity(digits);
  if (quick !== undefined) return quick;
  try {
    return new PhoneNumber(`+${digits}` as never).isValid();
  } catch {
    return false;
  }
}

// Separators people type inside numbers; anything else (letters, ext, ;) makes the value invalid.
const ALLOWED = /^\+?[\d \u00a0().\-/]+$/;
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

/** Normalises a phone number typed as text. */
export function normalisePhoneText(raw: string, country: CountryCode): PhoneResult {
  const text = raw.trim();
  if (text === '') return { ok: false, code: 'phone-missing', message: 'phone number is empty' };
  if (SCIENTIFIC.test(text)) {
    return {
      ok: false,
      code: 'phone-scientific',
      message: `phone number "${text}" is in scientific notation, its last digits are gone; format the column as Text and type the number again`,
    };
  }
  const invalid: PhoneResult = { ok: false, code: 'phone-invalid', message: `"${text}" is not a valid phone number for ${country}` };
  // A letter (0812-3456-789O), an extension (ext, x, #, ;) or a pause (,) would be dropped or read as a
  // digit by the library, which yields another, valid number: refuse instead of guessing.
  const stray = /[\p{L}#;,*]/u.exec(text);
  if (stray) {
    return {
      ok: false,
      code: 'phone-invalid',
      message: `"${text}" is not a phone number: it contains "${stray[0]}" (only digits, spaces, + - . ( ) / are read); type the number alone`,
    };
  }
  if (!ALLOWED.test(text)) return viaLibrary(text, country) ?? invalid;
  const plan = planFor(country);
  const digits = text.replace(/\D+/g, '');
  if (text.startsWith('+')) return validE164(digits) ? { ok: true, phone: digits } : invalid;
  if (digits.startsWith('00')) {
    const intl = digits.replace(/^00+/, '');
    if (validE164(intl)) return { ok: true, phone: intl };
  } else if (plan.simpleTrunk !== undefined && digits.startsWith(plan.simpleTrunk)) {
    const e164 = plan.callingCode + digits.slice(plan.simpleTrunk.length);
    if (validE164(e164)) return { ok: true, phone: e164 };
  } else if (digits.startsWith(plan.callingCode)) {
    if (validE164(digits)) return { ok: true, phone: digits };
    // Written like an international number but not a valid one: read as a national number instead it would be
    // valid, and another number (6281325601 would become 626281325601). Which was meant cannot be known.
    if (plan.simpleTrunk !== undefined && validE164(plan.callingCode + digits)) {
      return {
        ok: false,
        code: 'phone-invalid',
        message: `"${text}" starts with ${plan.callingCode} like an international number but is not a valid one, and read as a national number it would be ${plan.callingCode}${digits}; type it with + or ${plan.simpleTrunk} in front`,
      };
    }
  } else if (plan.simpleTrunk !== undefined && validE164(plan.callingCode + digits)) {
    return { ok: true, phone: plan.callingCode + digits, noPrefix: true };
  }
  return viaLibrary(text, country) ?? invalid;
}

function viaLibrary(text: string, country: CountryCode): PhoneResult | undefined {
  const n = parsePhoneNumberFromString(text, country);
  if (!n || !n.isValid() || n.ext) return undefined;
  // Never shorten: every digit typed after the prefix must still be there.
  const typed = parseDigits(text);
  if (!typed.endsWith(n.nationalNumber)) return undefined;
  return { ok: true, phone: n.number.slice(1) };
}

/**
 * Checks and normalises the phone cell of a row. Numeric cells that lost something are refused: Excel
 * drops leading zeros, rounds past 15 digits and shows 6.28123E+12. An intact international number
 * (6281298765432) is read, with a caution that the column should be Text.
 */
export function normalisePhoneCell(cell: Cell | undefined, country: CountryCode): PhoneResult {
  if (!cell || cell.t === 'z' || cell.v === undefined || cell.v === null) {
    return { ok: false, code: 'phone-missing', message: 'phone number is empty' };
  }
  if (cell.t === 'n' && typeof cell.v === 'number') return numericPhone(cell.v, cell.w, country);
  if (cell.t === 's') return normalisePhoneText(String(cell.v), country);
  return { ok: false, code: 'phone-invalid', message: `"${cell.w ?? String(cell.v)}" is not a phone number` };
}

function numericPhone(v: number, shown: string | undefined, country: CountryCode): PhoneResult {
  const fix = 'format the column as Text and type the number again';
  if (!Number.isInteger(v) || v <= 0 || v >= 1e15) {
    return {
      ok: false,
      code: 'phone-precision',
      message: `phone number is stored as the number ${shown ?? String(v)}, which has lost digits; ${fix}`,
    };
  }
  const digits = String(v);
  if (shown !== undefined && SCIENTIFIC.test(shown.trim())) {
    return {
      ok: false,
      code: 'phone-scientific',
      message: `phone number is stored as a number and shown as ${shown.trim()} (value ${digits}); ${fix}`,
    };
  }
  const plan = planFor(country);
  if (!digits.startsWith(plan.callingCode)) {
    const guess = plan.simpleTrunk !== undefined ? `${plan.simpleTrunk}${digits}` : digits;
    return {
      ok: false,
      code: 'phone-leading-zero-lost',
      message: `phone number is stored as the number ${digits} and has lost its leading zero; ${fix} (${guess}?)`,
    };
  }
  if (!validE164(digits)) {
    return { ok: false, code: 'phone-invalid', message: `phone number ${digits} (stored as a number) is not a valid phone number` };
  }
  return {
    ok: true,
    phone: digits,
    caution: {
      code: 'phone-numeric-cell',
      message: `phone number ${digits} is stored as a number, not text; it is intact and read as is, but Excel may change such cells: format the column as Text`,
    },
  };
}
