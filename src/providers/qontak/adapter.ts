import type { AuthMethod } from '../../config/profiles.js';
import type { HttpClient } from '../http.js';
import type { AuthCheck, Capabilities, Channel, Provider } from '../port.js';
import { isWhatsAppIntegration, toChannel, type QontakIntegration } from './channels.js';
import { qontakPages } from './pagination.js';

export const QONTAK_PREFIX: Record<'hmac' | 'oauth', string> = {
  hmac: '/qontak/chat/v1',
  oauth: '/api/open/v1',
};

export const QONTAK_CAPABILITIES: Capabilities = {
  contactLists: true,
  bulkBroadcast: true,
  scheduling: true,
  broadcastLog: true,
  templateCreate: true,
  placeholderStyle: 'positional',
  // Organisation settings in Qontak's API: 5,000 rows per Excel upload, 20,000 per CSV.
  uploadRowLimits: { xlsx: 5000, csv: 20000 },
};

export class QontakProvider implements Provider {
  readonly name = 'qontak' as const;
  readonly capabilities = QONTAK_CAPABILITIES;
  constructor(
    readonly http: HttpClient,
    readonly method: AuthMethod,
  ) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async checkAuth(): Promise<AuthCheck> {
    const channels = await this.listChannels();
    return { ok: true, detail: `${channels.length} WhatsApp channel${channels.length === 1 ? '' : 's'}` };
  }

  async listChannels(): Promise<Channel[]> {
    const out: Channel[] = [];
    for await (const i of qontakPages<QontakIntegration>(this.http, '/integrations', { target_channel: 'wa' }, { pageSize: 100 })) {
      if (isWhatsAppIntegration(i)) out.push(toChannel(i));
    }
    return out;
  }
}
