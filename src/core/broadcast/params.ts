// --param KEY=COLUMN maps a placeholder to a spreadsheet column or list variable; --param KEY=:text gives a literal.
import { InputError } from '../../errors.js';
import { bareKey } from '../placeholders.js';

export type ParamSource = { kind: 'column'; column: string } | { kind: 'literal'; text: string };

export function parseParams(raw: readonly string[]): Map<string, ParamSource> {
  const out = new Map<string, ParamSource>();
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--param "${item}" needs the form KEY=COLUMN or KEY=:text (e.g. --param 1=full_name).`);
    const key = bareKey(item.slice(0, eq));
    const value = item.slice(eq + 1);
    if (out.has(key)) throw new InputError(`--param ${key} is given twice.`);
    if (value.startsWith(':')) out.set(key, { kind: 'literal', text: value.slice(1) });
    else {
      const column = value.trim();
      if (!column) throw new InputError(`--param ${key}= names no column; use --param ${key}=COLUMN or ${key}=:text.`);
      out.set(key, { kind: 'column', column });
    }
  }
  return out;
}
