// Choosing the template and the channel of a send, with the reason when the choice cannot be made.
import type { Channel, RemoteTemplate } from '../../providers/port.js';

export type Pick<T> = { ok: true; value: T } | { ok: false; reason: 'not-found' | 'ambiguous' | 'not-usable'; message: string };

/** The template named (or with this id), in `language` or its only language, and APPROVED. */
export function pickTemplate(candidates: readonly RemoteTemplate[], nameOrId: string, language: string | undefined): Pick<RemoteTemplate> {
  const byId = candidates.find((t) => t.id === nameOrId);
  const named = byId ? [byId] : candidates.filter((t) => t.name === nameOrId);
  if (named.length === 0) return { ok: false, reason: 'not-found', message: `No template named or with id "${nameOrId}".` };
  const inLanguage = language ? named.filter((t) => t.language === language) : named;
  if (inLanguage.length === 0) {
    return {
      ok: false,
      reason: 'not-found',
      message: `Template "${nameOrId}" has no ${language} version; it exists in ${named.map((t) => t.language || '(no language)').join(', ')}.`,
    };
  }
  if (inLanguage.length > 1) {
    return {
      ok: false,
      reason: 'ambiguous',
      message: `Template "${nameOrId}" exists in ${inLanguage.map((t) => t.language).join(', ')}; choose one with --language.`,
    };
  }
  const t = inLanguage[0]!;
  if (t.status.toUpperCase() !== 'APPROVED') {
    return { ok: false, reason: 'not-usable', message: `Template "${t.name}" (${t.language}) is ${t.status}, not APPROVED; WhatsApp will not deliver it.` };
  }
  return { ok: true, value: t };
}

/** --channel, else the profile's default, else the only channel that can send. */
export function pickChannel(channels: readonly Channel[], flag: string | undefined, profileDefault: string | undefined): Pick<Channel> {
  const wanted = flag ?? profileDefault;
  if (wanted) {
    const c = channels.find((ch) => ch.id === wanted || ch.name === wanted || ch.phone === wanted);
    if (!c) return { ok: false, reason: 'not-found', message: `No channel "${wanted}"${flag ? '' : ' (the profile default)'}; \`wa-cli channels list\` shows them.` };
    if (!c.canSend) {
      // Named as typed (an id, a name or a number), with what it is, so the line matches the command that was run.
      const what = wanted === c.id ? `"${c.id}"${c.name && c.name !== c.id ? ` (${c.name})` : ''}` : `"${wanted}" (${c.id})`;
      return {
        ok: false,
        reason: 'not-usable',
        message: `Channel ${what}${flag ? '' : ', the profile default,'} is ${c.status} and cannot send. Reconnect it (for a Konekwa session, scan its QR code again on the gateway), or choose a connected one with --channel; \`wa-cli channels list\` shows which can send.`,
      };
    }
    return { ok: true, value: c };
  }
  const usable = channels.filter((c) => c.canSend);
  if (usable.length === 1) return { ok: true, value: usable[0]! };
  if (usable.length === 0) return { ok: false, reason: 'not-usable', message: 'No channel on the account can send now; `wa-cli channels list` shows their status.' };
  return {
    ok: false,
    reason: 'ambiguous',
    message: `${usable.length} channels can send (${usable.map((c) => `${c.name} ${c.id}`).join(', ')}); choose one with --channel.`,
  };
}
