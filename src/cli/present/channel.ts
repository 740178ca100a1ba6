// A channel messages go out through: a Qontak integration or a Konekwa session.
import type { Channel } from '../../providers/port.js';
import type { Presenter } from './presenter.js';

export interface ChannelJson {
  id: string;
  name: string;
  /** The WhatsApp number behind it; null where the API does not say. */
  phone: string | null;
  /** As the provider says: active/inactive (Qontak), CONNECTED/DISCONNECTED… (Konekwa). */
  status: string;
  canSend: boolean;
}

export const channel: Presenter<Channel, ChannelJson> = {
  toJson: (c) => ({ id: c.id, name: c.name, phone: c.phone ?? null, status: c.status, canSend: c.canSend }),
  columns: () => [
    { header: 'ID', value: (c) => c.id, id: true },
    { header: 'NAME', value: (c) => c.name },
    { header: 'PHONE', value: (c) => c.phone },
    { header: 'STATUS', value: (c) => c.status },
  ],
};
