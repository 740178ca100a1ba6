// contacts: contact-list spreadsheets: validate, normalise, upload, list.
import { arg, duration, flag, noun, positiveInt, type OptionsOf } from '../../cli/spec.js';
import { country } from '../flags.js';

const sheet = flag('--sheet <name>', 'sheet to read (default: the first)');

export const spec = noun({
  name: 'contacts',
  description: 'contact-list spreadsheets: validate, normalise, upload, list',
  verbs: {
    validate: {
      description: 'check a spreadsheet (.xlsx, .xls, .csv) row by row; --out writes the cleaned file',
      args: [arg('<file>', 'spreadsheet to check', { file: true })],
      flags: [country, sheet, flag('--out <file>', 'write the valid rows, normalised, to this .xlsx or .csv', { file: true })],
      examples: ['wa-cli contacts validate customers.xlsx', 'wa-cli contacts validate export.csv --out clean.csv', 'wa-cli contacts validate list.xlsx --json | jq .problems'],
    },
    upload: {
      description: 'validate, then upload as a Qontak contact list and wait until it is processed',
      args: [arg('<file>', 'spreadsheet to upload', { file: true })],
      flags: [
        flag('--name <name>', 'name of the new contact list', { required: true }),
        country,
        sheet,
        flag('--skip-invalid', 'upload the valid rows and report the rest, instead of refusing'),
        flag('--split', 'split a list larger than one upload allows into numbered lists'),
        flag('--no-wait', 'print the list id and return without waiting for processing'),
        duration('--timeout <duration>', 'how long to wait for processing', 600_000),
        flag('--dry-run', 'do everything but the upload'),
      ],
      examples: ['wa-cli contacts upload customers.xlsx --name nov-promo', 'wa-cli contacts upload big.csv --name q4 --split --timeout 20m'],
    },
    lists: {
      description: 'list the contact lists on the account (Qontak)',
      flags: [flag('--limit <n>', 'at most this many', { parse: positiveInt('--limit'), default: 50 }), flag('--all', 'every list, following all pages')],
      examples: ['wa-cli contacts lists', 'wa-cli contacts lists --all --json'],
    },
    show: {
      description: 'show one contact list: progress, counts, variables, errors',
      args: [arg('<list-id>')],
      examples: ['wa-cli contacts show 534bd3d4-5395-46a9-bfbb-353f3a7721be'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
