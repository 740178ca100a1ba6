import type { Channel } from '../port.js';

export interface QontakIntegration {
  id: string;
  target_channel: string;
  settings?: { account_name?: string; server_wa_id?: string; phone_number?: string } | null;
  is_active?: boolean;
}

/** WhatsApp integrations only: the list can hold every channel of the organisation. */
export function isWhatsAppIntegration(i: QontakIntegration): boolean {
  return i.target_channel === 'wa' || i.target_channel === 'wa_cloud';
}

export function toChannel(i: QontakIntegration): Channel {
  const active = i.is_active !== false;
  return {
    id: i.id,
    name: i.settings?.account_name ?? i.id,
    phone: i.settings?.server_wa_id ?? i.settings?.phone_number,
    status: active ? 'active' : 'inactive',
    canSend: active,
  };
}
