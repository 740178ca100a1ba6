// The one interface both providers implement. Commands depend on this file only; factory.ts picks the adapter.
import type { AuthMethod, ProviderName } from '../config/profiles.js';

export interface Capabilities {
  /** Server-side contact lists (upload, list, show). */
  contactLists: boolean;
  /** One API call sends to a whole list. Without it a broadcast is a fan-out wa-cli performs itself. */
  bulkBroadcast: boolean;
  /** The server schedules a send for later. */
  scheduling: boolean;
  /** The server keeps a delivery log per broadcast. */
  broadcastLog: boolean;
  templateCreate: boolean;
  /** Placeholder style of the provider's templates. */
  placeholderStyle: 'positional' | 'named';
  /** Rows a contact-list upload may hold, per file format. */
  uploadRowLimits?: { xlsx: number; csv: number };
}

export interface AuthCheck {
  ok: true;
  /** What the live check saw, e.g. "3 WhatsApp channels". */
  detail: string;
}

export interface Channel {
  id: string;
  name: string;
  /** The WhatsApp number behind it, when the API says. */
  phone: string | undefined;
  /** active / inactive for Qontak, CONNECTED / DISCONNECTED… for Konekwa. */
  status: string;
  /** Whether messages can go out through it now. */
  canSend: boolean;
}

export interface Provider {
  readonly name: ProviderName;
  readonly method: AuthMethod;
  readonly baseUrl: string;
  readonly capabilities: Capabilities;
  /** A cheap authenticated call proving the credentials work. */
  checkAuth(): Promise<AuthCheck>;
  listChannels(): Promise<Channel[]>;
}

/** Raised when a command needs something the provider does not have; exits 2 with the alternative. */
export function capabilityMessage(provider: ProviderName, what: string, instead?: string): string {
  const label = provider === 'qontak' ? 'Qontak' : 'Konekwa';
  return `${label} has no ${what}.${instead ? ` ${instead}` : ''}`;
}
