// optout: the profile's opt-out list, which no send reaches.
import { arg, flag, noun, type OptionsOf } from '../../cli/spec.js';
import { country } from '../flags.js';

export const spec = noun({
  name: 'optout',
  description: "the profile's opt-out list: numbers no send reaches (dry runs included)",
  verbs: {
    add: {
      description: "opt numbers out (normalised like a spreadsheet's; one already listed keeps its date and reason)",
      args: [arg('<phone...>')],
      flags: [flag('--reason <text>', 'why, kept with the number'), country],
      examples: ['wa-cli optout add 0812-3456-7890 --reason "asked by phone"', 'wa-cli optout add +6281234567890 6285712345678'],
    },
    remove: {
      description: 'take numbers off the list (exit 3 if one was not on it)',
      args: [arg('<phone...>')],
      flags: [country],
      examples: ['wa-cli optout remove 0812-3456-7890'],
    },
    list: {
      description: 'every opted-out number with when, how and why',
      examples: ['wa-cli optout list', 'wa-cli optout list --json | jq -r ".entries[].phone"'],
    },
    import: {
      description: 'add every number of a sheet (.csv, .xlsx, .xls) with a phone_number column and an optional reason column',
      args: [arg('<file>', undefined, { file: true })],
      flags: [flag('--reason <text>', 'reason for rows without one'), country, flag('--skip-invalid', 'import the readable numbers and name each row left out, instead of refusing the file')],
      examples: ['wa-cli optout import unsubscribed.csv', 'wa-cli optout import crm-export.xlsx --reason "CRM opt-out" --skip-invalid'],
    },
    export: {
      description: 'write the list as CSV (standard output) or to a .csv or .xlsx file; import reads it back',
      flags: [flag('--out <file>', 'FILE.csv or FILE.xlsx', { file: true })],
      examples: ['wa-cli optout export --out optouts.xlsx', 'wa-cli -p staging optout export > optouts.csv'],
    },
    sync: {
      description: 'Konekwa: opt out everyone whose reply is a stop word (profile stopWords; default STOP, BERHENTI, UNSUBSCRIBE), from where the last sync got to',
      examples: ['wa-cli optout sync', 'wa-cli -p gateway -q optout sync  # from cron, e.g. */10 * * * *'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
