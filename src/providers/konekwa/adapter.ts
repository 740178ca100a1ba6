import type { HttpClient } from '../http.js';
import type { AuthCheck, Capabilities, Channel, Provider } from '../port.js';

export const KONEKWA_CAPABILITIES: Capabilities = {
  contactLists: false,
  bulkBroadcast: false,
  scheduling: false,
  broadcastLog: false,
  templateCreate: true,
  placeholderStyle: 'named',
};

interface KonekwaSession {
  id: string;
  name?: string;
  status?: string;
  phone_number?: string;
}

export class KonekwaProvider implements Provider {
  readonly name = 'konekwa' as const;
  readonly method = 'api-key' as const;
  readonly capabilities = KONEKWA_CAPABILITIES;
  constructor(readonly http: HttpClient) {}

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async checkAuth(): Promise<AuthCheck> {
    const sessions = await this.listChannels();
    const connected = sessions.filter((s) => s.canSend).length;
    return { ok: true, detail: `${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${connected} connected` };
  }

  /** Konekwa's sessions are its channels: one connected WhatsApp number each. */
  async listChannels(): Promise<Channel[]> {
    const { body } = await this.http.request<{ sessions?: KonekwaSession[] }>({ method: 'GET', path: '/v1/sessions' });
    return (body?.sessions ?? []).map((s) => ({
      id: s.id,
      name: s.name ?? s.id,
      phone: s.phone_number,
      status: s.status ?? 'UNKNOWN',
      canSend: s.status === 'CONNECTED',
    }));
  }
}
