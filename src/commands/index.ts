// The command tree as data: the program's global flags and every noun's spec, each paired with the lazy loaders of
// its verbs. A verb's module is imported only when that verb runs; each loader is checked against its spec's types.
import { flag, mountable, type RootSpec } from '../cli/spec.js';
import { spec as auth } from './auth/command.js';
import { spec as channels } from './channels/command.js';
import { spec as templates } from './templates/command.js';
import { spec as contacts } from './contacts/command.js';
import { spec as broadcast } from './broadcast/command.js';
import { spec as optout } from './optout/command.js';
import { spec as logs } from './logs/command.js';
import { spec as doctor } from './doctor/command.js';
import { spec as sandbox } from './sandbox/command.js';
import { spec as demo } from './demo/command.js';
import { spec as completion } from './completion/command.js';

export const root = {
  name: 'wa-cli',
  description: 'WhatsApp broadcasts and templates over Mekari Qontak and Konekwa: validate locally, send safely.',
  version: '-V, --version',
  flags: [
    flag('-p, --profile <name>', 'configuration profile (env WA_PROFILE)', { complete: 'profiles' }),
    flag('--json', 'print results as JSON (JSON Lines for streams)'),
    flag('--no-color', 'no colour (also NO_COLOR)'),
    flag('-q, --quiet', 'print results only: no progress or notes'),
    flag('--verbose', 'log HTTP requests (secrets redacted) and show stack traces'),
    flag('-y, --yes', 'answer yes to confirmations (required without a terminal)'),
  ],
  examples: ['wa-cli demo', 'wa-cli auth login --provider qontak --client-id abc123 --with-secret < secret.txt', 'wa-cli channels list --json'],
  footer: '\nExit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 auth, 5 conflict, 6 transient, 129 terminal closed, 130 interrupted, 143 terminated.\n',
} as const satisfies RootSpec;

export const nouns = [
  mountable(auth, { login: () => import('./auth/login.js'), status: () => import('./auth/status.js'), logout: () => import('./auth/logout.js') }),
  mountable(channels, { list: () => import('./channels/list.js') }),
  mountable(templates, {
    list: () => import('./templates/list.js'),
    show: () => import('./templates/show.js'),
    validate: () => import('./templates/validate.js'),
    create: () => import('./templates/create.js'),
    wait: () => import('./templates/wait.js'),
    plan: () => import('./templates/plan.js'),
    apply: () => import('./templates/apply.js'),
  }),
  mountable(contacts, { validate: () => import('./contacts/validate.js'), upload: () => import('./contacts/upload.js'), lists: () => import('./contacts/lists.js'), show: () => import('./contacts/show.js') }),
  mountable(broadcast, { send: () => import('./broadcast/send.js'), status: () => import('./broadcast/status.js'), report: () => import('./broadcast/report.js'), list: () => import('./broadcast/list.js') }),
  mountable(optout, {
    add: () => import('./optout/add.js'),
    remove: () => import('./optout/remove.js'),
    list: () => import('./optout/list.js'),
    import: () => import('./optout/import.js'),
    export: () => import('./optout/export.js'),
    sync: () => import('./optout/sync.js'),
  }),
  mountable(logs, { tail: () => import('./logs/tail.js'), export: () => import('./logs/export.js') }),
  mountable(doctor, () => import('./doctor/run.js')),
  mountable(sandbox, () => import('./sandbox/run.js')),
  mountable(demo, () => import('./demo/run.js')),
  mountable(completion, () => import('./completion/script.js')),
];
