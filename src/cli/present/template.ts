// A template as the account holds it, the same whichever provider: `templates list`, `show`, `create`, `wait`.
import type { RemoteButton, RemoteTemplate, TemplateCreate } from '../../providers/port.js';
import { sendRules } from '../../core/broadcast/send-rules.js';
import type { TimeFormat } from '../time.js';
import { textOf, type Presenter } from './presenter.js';

export interface ButtonJson {
  type: string;
  text: string;
  url: string | null;
  phoneNumber: string | null;
  /** The example value as the server gave it, as text. */
  example: string | null;
}

export interface TemplateJson {
  id: string;
  name: string;
  /** null where the provider has no languages (Konekwa). */
  language: string | null;
  status: string | null;
  category: string | null;
  body: string;
  header: { format: string; text: string | null; example: string | null } | null;
  footer: string | null;
  buttons: ButtonJson[];
  qualityRating: string | null;
}

export const buttonJson = (b: RemoteButton): ButtonJson => ({
  type: b.type,
  text: b.text,
  url: b.url ?? null,
  phoneNumber: b.phone_number ?? null,
  example: textOf(b.example),
});

const headerJson = (h: TemplateCreate['header']): TemplateJson['header'] => (h ? { format: h.format, text: h.text ?? null, example: textOf(h.example) } : null);

export const template: Presenter<RemoteTemplate, TemplateJson> = {
  toJson: (t) => ({
    id: t.id,
    name: t.name,
    language: t.language || null,
    status: t.status || null,
    category: t.category || null,
    body: t.body,
    header: headerJson(t.header),
    footer: t.footer,
    buttons: t.buttons.map(buttonJson),
    qualityRating: t.qualityRating,
  }),
  columns: () => [
    { header: 'NAME', value: (t) => t.name },
    { header: 'LANGUAGE', value: (t) => t.language },
    { header: 'CATEGORY', value: (t) => t.category, drop: 3 },
    { header: 'STATUS', value: (t) => t.status },
    { header: 'PLACEHOLDERS', value: (t) => sendRules.placeholders(t.body).keys.length, drop: 2 },
    { header: 'QUALITY', value: (t) => t.qualityRating, drop: 1 },
    { header: 'ID', value: (t) => t.id, id: true },
  ],
};

/** The end of a review (`templates wait`, `create --wait`): the template as it stands, and the verdict. */
export const reviewJson = (t: RemoteTemplate, outcome: string, reason: string | undefined, time: TimeFormat) => ({ ...template.toJson(t, time), outcome, reason: reason ?? null });

/** What `templates create --dry-run` would submit, in the same words as a template. */
const createJson = (r: TemplateCreate) => ({
  name: r.name,
  language: r.language || null,
  category: r.category || null,
  body: r.body,
  header: headerJson(r.header),
  footer: r.footer ?? null,
  buttons: (r.buttons ?? []).map(buttonJson),
  bodyExamples: r.bodyExamples ?? [],
});

/** `templates create --dry-run`: the file passes every rule (with this many warnings), and what it would submit. */
export const createDryRunJson = (r: TemplateCreate, warnings: number) => ({ dryRun: true, name: r.name, warnings, payload: createJson(r) });
