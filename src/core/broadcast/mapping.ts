// Turning a template, a --param mapping and recipients into the exact values each recipient will get, and every
// send-time problem with its row, before anything is sent.
import type { RemoteTemplate } from '../../providers/port.js';
import type { ParamSource } from './params.js';

/** The send-time rules (send-rules.ts). */
export interface SendRules {
  placeholders(body: string): { style: 'positional' | 'named'; keys: string[] };
  /** Problems of one recipient's values (count, text, rendered length, URL encoding), as one-line messages. */
  checkValues(template: RemoteTemplate, values: Record<string, string>): { ruleId: string; message: string; key?: string }[];
  /** null when the name can be a Qontak list variable. */
  checkVariableName(name: string): string | null;
  render(body: string, values: Record<string, string>): string;
}

export interface Contact {
  /** Row as the person sees it in the spreadsheet (1 for --to). */
  row: number;
  phone: string;
  name: string;
  variables: Record<string, string>;
}

export interface Recipient {
  row: number;
  phone: string;
  name: string;
  values: Record<string, string>;
}

export interface SendProblem {
  row?: number;
  ruleId: string;
  message: string;
  /** For a recipient's value: the column it came from (or the --param literal), the value, and what is wrong with it. */
  column?: string;
  value?: string;
  reason?: string;
}

/** Columns a mapping can name: the variables plus the two fixed columns. */
const FIXED = ['full_name', 'phone_number'];

export interface Mapping {
  keys: string[];
  style: 'positional' | 'named';
  sources: Map<string, ParamSource>;
}

/**
 * Which value feeds each placeholder. Named placeholders take the same-named column unless mapped; positional ones
 * must be mapped, and the error lists the columns to choose from.
 */
export function buildMapping(
  template: RemoteTemplate,
  params: Map<string, ParamSource>,
  columns: readonly string[],
  rules: SendRules,
): { mapping: Mapping; problems: SendProblem[] } {
  const { style, keys } = rules.placeholders(template.body);
  const available = [...new Set([...FIXED, ...columns])];
  const sources = new Map<string, ParamSource>();
  const problems: SendProblem[] = [];
  for (const key of keys) {
    const given = params.get(key);
    if (given) {
      if (given.kind === 'column' && !available.includes(given.column)) {
        problems.push({ ruleId: 'param-column', message: `--param ${key}=${given.column}: no such column; the columns are ${available.join(', ')}.` });
      }
      sources.set(key, given);
    } else if (style === 'named' && available.includes(key)) {
      sources.set(key, { kind: 'column', column: key });
    } else {
      problems.push({
        ruleId: 'param-missing',
        message: `Placeholder {{${key}}} of "${template.name}" has no value; map it with --param ${key}=COLUMN (columns: ${available.join(', ')}) or --param ${key}=:text.`,
      });
    }
  }
  for (const key of params.keys()) {
    if (!keys.includes(key)) {
      problems.push({
        ruleId: 'param-unknown',
        message: `--param ${key}: "${template.name}" has no placeholder {{${key}}}${keys.length ? `; it has ${keys.map((k) => `{{${k}}}`).join(', ')}` : ' and takes no parameters'}.`,
      });
    }
  }
  return { mapping: { keys, style, sources }, problems };
}

export function valuesFor(contact: Contact, mapping: Mapping): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, src] of mapping.sources) {
    if (src.kind === 'literal') values[key] = src.text;
    else if (src.column === 'full_name') values[key] = contact.name;
    else if (src.column === 'phone_number') values[key] = contact.phone;
    else values[key] = contact.variables[src.column] ?? '';
  }
  return values;
}

export interface CheckedRecipients {
  /** Recipients that passed. */
  count: number;
  problems: SendProblem[];
  invalidRows: number;
  /** Rows that failed a check (only these are kept: the rest is re-derived on demand). */
  failedRows: Set<number>;
  /** The passing recipients with their values, computed again on each iteration so no copy is held. */
  recipients(): Generator<Recipient>;
}

/** One recipient at a time against the send-time rules: the passing ones counted, the failing ones' problems kept. */
export class RecipientCheck {
  count = 0;
  readonly problems: SendProblem[] = [];
  readonly failedRows = new Set<number>();
  constructor(
    private readonly template: RemoteTemplate,
    private readonly mapping: Mapping,
    private readonly rules: SendRules,
  ) {}

  /** The recipient with its values, or undefined when a value fails a check. */
  check(c: Contact): Recipient | undefined {
    const values = valuesFor(c, this.mapping);
    const found = this.rules.checkValues(this.template, values);
    if (found.length === 0) {
      this.count++;
      return { row: c.row, phone: c.phone, name: c.name, values };
    }
    this.failedRows.add(c.row);
    for (const f of found) {
      const src = f.key === undefined ? undefined : this.mapping.sources.get(f.key);
      const column = src === undefined ? undefined : src.kind === 'column' ? src.column : `--param ${f.key}=:…`;
      this.problems.push({
        row: c.row,
        ruleId: f.ruleId,
        message: `row ${c.row} (${c.phone}): ${f.message}`,
        ...(column !== undefined ? { column, value: values[f.key!] ?? '' } : {}),
        reason: f.message,
      });
    }
    return undefined;
  }
}

/** Every recipient's values checked against the send-time rules; problems carry the row. */
export function checkRecipients(
  template: RemoteTemplate,
  contacts: () => Iterable<Contact>,
  mapping: Mapping,
  rules: SendRules,
): CheckedRecipients {
  const check = new RecipientCheck(template, mapping, rules);
  for (const c of contacts()) check.check(c);
  const { failedRows } = check;
  return {
    count: check.count,
    problems: check.problems,
    invalidRows: failedRows.size,
    failedRows,
    *recipients() {
      for (const c of contacts()) if (!failedRows.has(c.row)) yield { row: c.row, phone: c.phone, name: c.name, values: valuesFor(c, mapping) };
    },
  };
}

/** Qontak's bulk send substitutes list columns on the server: every placeholder must come from a column with a valid name. */
/** `ownList`: wa-cli uploads the list itself (a --file send), so a literal becomes a column of that list. */
export function checkBulkMapping(mapping: Mapping, rules: SendRules, ownList = false): SendProblem[] {
  const problems: SendProblem[] = [];
  for (const [key, src] of mapping.sources) {
    if (src.kind === 'literal') {
      if (ownList) continue;
      problems.push({
        ruleId: 'bulk-literal',
        message: `--param ${key}=:…: a Qontak list broadcast takes every value from a list column; add a column with that text to the list, or send the spreadsheet with --file (wa-cli adds the column itself).`,
      });
    } else if (!FIXED.includes(src.column)) {
      const bad = rules.checkVariableName(src.column);
      if (bad) problems.push({ ruleId: 'variable-name', message: `--param ${key}=${src.column}: ${bad}` });
    }
  }
  return problems;
}

export const DEFAULT_COST_PER_MESSAGE = 460;

export function costEstimate(recipients: number, perMessage = DEFAULT_COST_PER_MESSAGE): string {
  return `Rp ${(recipients * perMessage).toLocaleString('id-ID')} (${recipients.toLocaleString('en-US')} × Rp ${perMessage.toLocaleString('id-ID')})`;
}
