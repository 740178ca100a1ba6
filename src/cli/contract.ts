// The JSON contract of --json: camelCase objects with one shape per kind, whichever provider answered; never a
// provider's raw object. The README's "JSON output" section describes it.
import type { ContactList, RemoteTemplate } from '../providers/port.js';

export interface TemplateJson {
  id: string;
  name: string;
  language: string | null;
  status: string | null;
  category: string | null;
  body: string;
  header: RemoteTemplate['header'];
  footer: string | null;
  buttons: RemoteTemplate['buttons'];
  qualityRating: string | null;
}

export function templateJson(t: RemoteTemplate): TemplateJson {
  return {
    id: t.id,
    name: t.name,
    language: t.language || null,
    status: t.status || null,
    category: t.category || null,
    body: t.body,
    header: t.header,
    footer: t.footer,
    buttons: t.buttons,
    qualityRating: t.qualityRating,
  };
}

export function contactListJson(l: ContactList, iso: (at: string | undefined) => string | null = (at) => at ?? null) {
  return {
    id: l.id,
    name: l.name,
    createdAt: iso(l.createdAt),
    status: l.progress,
    contacts: l.count,
    succeeded: l.succeeded,
    failed: l.failed,
    variables: l.variables,
    errorMessages: l.errorMessages ?? null,
    finishedAt: iso(l.finishedAt),
  };
}
