// The accounts the sandbox starts with: channels, sessions and a template catalogue that has something of every kind
// (approved, pending, rejected; two languages; a few that break the rules, for `templates validate --remote`).
import { uuidFrom } from './rng.js';

export const ORG_ID = 'a6642f0c-d865-471f-97c7-00adaa313d29';

export interface SandboxTemplate {
  id: string;
  organization_id: string;
  name: string;
  language: string;
  header: { format: string; text?: string; example?: unknown } | null;
  body: string;
  footer: string | null;
  buttons: { type: string; text: string; url?: string; phone_number?: string }[];
  status: 'APPROVED' | 'PENDING' | 'REJECTED';
  category: string;
  quality_rating: string | null;
  quality_rating_text: string | null;
  created_at: string;
}

export function seedIntegrations(rand: () => number) {
  const created = '2024-08-20T08:00:41.432Z';
  const wa = (name: string, phone: string, active = true) => ({
    id: uuidFrom(rand),
    target_channel: 'wa',
    webhook: 'sandbox',
    settings: { account_name: name, server_wa_id: phone, authorization: '<redacted>', domain_server: 'sandbox' },
    organization_id: ORG_ID,
    created_at: created,
    is_active: active,
  });
  return [
    wa('Toko Maju Jaya', '6281100000001'),
    { id: uuidFrom(rand), target_channel: 'web_chat', webhook: 'x', settings: { title: 'Website chat' }, organization_id: ORG_ID, created_at: created, is_active: true },
    wa('Toko Maju Jaya (CS)', '6281100000002', false),
  ];
}

const TEXTS: { name: string; id: string; en: string; category: string; buttons?: SandboxTemplate['buttons']; footer?: string }[] = [
  {
    name: 'order_update',
    id: 'Halo {{1}}, pesanan {{2}} sudah kami kirim. Terima kasih sudah berbelanja!',
    en: 'Hi {{1}}, your order {{2}} is on its way. Thank you for shopping with us!',
    category: 'UTILITY',
  },
  {
    name: 'promo_nov',
    id: 'Halo {{1}}! 🎉 Promo November: diskon {{2}} untuk semua produk sampai akhir bulan.\nBalas STOP untuk berhenti.',
    en: 'Hi {{1}}! 🎉 November promo: {{2}} off everything until the end of the month.\nReply STOP to opt out.',
    category: 'MARKETING',
    footer: 'Toko Maju Jaya',
    buttons: [{ type: 'QUICK_REPLY', text: 'Lihat promo' }],
  },
  {
    name: 'payment_reminder',
    id: 'Halo {{1}}, tagihan {{2}} sebesar {{3}} jatuh tempo besok. Abaikan pesan ini jika sudah membayar.',
    en: 'Hi {{1}}, invoice {{2}} for {{3}} is due tomorrow. Ignore this message if you have paid.',
    category: 'UTILITY',
  },
  { name: 'welcome_member', id: 'Selamat datang, {{1}}! Kartu member Anda sudah aktif.', en: 'Welcome, {{1}}! Your member card is now active.', category: 'MARKETING' },
  { name: 'otp_login', id: 'Kode masuk Anda {{1}}. Jangan berikan kode ini kepada siapa pun.', en: 'Your login code is {{1}}. Do not share it with anyone.', category: 'AUTHENTICATION' },
];

export function seedTemplates(rand: () => number): SandboxTemplate[] {
  const out: SandboxTemplate[] = [];
  let day = 1;
  const add = (t: Partial<SandboxTemplate> & Pick<SandboxTemplate, 'name' | 'language' | 'body' | 'status' | 'category'>) =>
    out.push({
      id: uuidFrom(rand),
      organization_id: ORG_ID,
      header: null,
      footer: null,
      buttons: [],
      quality_rating: null,
      quality_rating_text: t.status === 'APPROVED' ? 'Neutral' : null,
      created_at: new Date(Date.UTC(2026, 9, day++)).toISOString(),
      ...t,
    });
  // The working catalogue: approved, in Indonesian and English.
  for (const t of TEXTS) {
    for (const language of ['id', 'en'] as const) {
      add({
        name: t.name,
        language,
        body: t[language],
        status: 'APPROVED',
        category: t.category,
        footer: t.footer ?? null,
        buttons: t.buttons ?? [],
      });
    }
  }
  // One name in one language only, with a header.
  add({
    name: 'flash_sale',
    language: 'id',
    header: { format: 'TEXT', text: 'Flash sale hari ini' },
    body: 'Hai {{1}}, flash sale dimulai jam {{2}}. Stok terbatas!',
    status: 'APPROVED',
    category: 'MARKETING',
  });
  // Filler across statuses so that --all needs several pages.
  const statuses: SandboxTemplate['status'][] = ['APPROVED', 'PENDING', 'REJECTED'];
  for (let i = 1; i <= 28; i++) {
    add({
      name: `campaign_${String(i).padStart(2, '0')}`,
      language: i % 2 ? 'id' : 'en',
      body: i % 2 ? `Halo {{1}}, ini pesan kampanye nomor ${i}.` : `Hi {{1}}, this is campaign message number ${i}.`,
      status: statuses[i % 3]!,
      category: i % 4 === 0 ? 'UTILITY' : 'MARKETING',
    });
  }
  // Templates that break the rules: what `templates validate --remote` must find.
  add({ name: 'Promo_Desember', language: 'id', body: 'Halo {{1}}, promo Desember sudah dimulai.', status: 'REJECTED', category: 'MARKETING' });
  add({ name: 'spasi_ganda', language: 'id', body: 'Halo {{1}},  pesanan Anda siap diambil.', status: 'REJECTED', category: 'UTILITY' });
  add({ name: 'urutan_salah', language: 'id', body: 'Halo {{2}}, pesanan {{1}} sudah dikirim.', status: 'REJECTED', category: 'UTILITY' });
  add({ name: 'terlalu_panjang', language: 'id', body: `Halo {{1}}, ${'ini kalimat yang panjang sekali. '.repeat(33)}`.trimEnd(), status: 'REJECTED', category: 'MARKETING' });
  add({ name: 'tautan_pendek', language: 'en', body: 'Hi {{1}}, see the new catalogue at https://bit.ly/abc123 today.', status: 'PENDING', category: 'MARKETING' });
  void rand;
  return out;
}

export function seedKonekwa(rand: () => number) {
  const sessions = [
    { id: 'ses_main01', name: 'Toko Maju Jaya', status: 'CONNECTED', phone_number: '6281100000009' },
    { id: 'ses_backup', name: 'Backup number', status: 'DISCONNECTED', phone_number: '6281100000010' },
  ];
  const templates = [
    { id: 'tpl_promo_nov', name: 'promo_nov', content: 'Halo {{name}}, selamat datang di {{company}}! Promo November untuk Anda.', message_type: 'text', created_at: '2026-10-01T00:00:00Z' },
    { id: 'tpl_order', name: 'order_update', content: 'Halo {{name}}, pesanan {{order_id}} sudah dikirim.', message_type: 'text', created_at: '2026-10-02T00:00:00Z' },
    { id: 'tpl_bad', name: 'Salam_Pagi', content: 'Selamat pagi  {{name}}!', message_type: 'text', created_at: '2026-10-03T00:00:00Z' },
  ];
  void rand;
  return { sessions, templates };
}
