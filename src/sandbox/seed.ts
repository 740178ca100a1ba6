// The accounts the sandbox starts with: channels, sessions and a template catalogue that has something of every kind
// (approved, pending, rejected; two languages; a few that break the rules, for `templates validate --remote`).
import { uuidFrom } from './rng.js';

export const ORG_ID = 'a6642f0c-d865-471f-97c7-00adaa313d29';

/** GET /templates/category answers with Qontak's older category list (recorded); creation takes these and Meta's three. */
export const TEMPLATE_CATEGORIES: { name: string; value: string }[] = [
  { name: 'Account Update', value: 'ACCOUNT_UPDATE' },
  { name: 'Payment Update', value: 'PAYMENT_UPDATE' },
  { name: 'Personal Finance Update', value: 'PERSONAL_FINANCE_UPDATE' },
  { name: 'Shipping Update', value: 'SHIPPING_UPDATE' },
  { name: 'Reservation Update', value: 'RESERVATION_UPDATE' },
  { name: 'Issue Resolution', value: 'ISSUE_RESOLUTION' },
  { name: 'Appointment Update', value: 'APPOINTMENT_UPDATE' },
  { name: 'Transportation Update', value: 'TRANSPORTATION_UPDATE' },
  { name: 'Ticket Update', value: 'TICKET_UPDATE' },
  { name: 'Alert Update', value: 'ALERT_UPDATE' },
  { name: 'Auto Reply', value: 'AUTO_REPLY' },
];

/** GET /templates/language: the short list Qontak offers in its form (recorded). */
export const TEMPLATE_LANGUAGE_CHOICES: { name: string; value: string }[] = [
  { name: 'English', value: 'en' },
  { name: 'English (US)', value: 'en_US' },
  { name: 'Filipino', value: 'fil' },
  { name: 'Indonesian', value: 'id' },
  { name: 'Malay', value: 'ms' },
  { name: 'Thai', value: 'th' },
  { name: 'Portuguese (BR)', value: 'pt_BR' },
  { name: 'Japanese', value: 'ja' },
];

/** GET /templates/languages: every language code a template may use (recorded, minus a test entry). */
export const TEMPLATE_LANGUAGES: { id: string; code: string; language: string }[] = [
  { id: '610134c2-9550-4df5-99a9-b98bd07afb12', code: 'zu', language: 'Zulu' },
  { id: '14f50a23-f8b9-4088-ae7b-fe2230763517', code: 'vi', language: 'Vietnamese' },
  { id: '8295b2f2-6bd4-4c05-aa46-af9a045c81e8', code: 'uz', language: 'Uzbek' },
  { id: 'ac6f3193-7368-4e4c-91d2-39db54a1ea46', code: 'ur', language: 'Urdu' },
  { id: 'dbe9a47a-66ad-4f7e-892c-ba6861d7c64b', code: 'uk', language: 'Ukrainian' },
  { id: 'da3e2e72-cfac-415b-bd83-7419164c9029', code: 'tr', language: 'Turkish' },
  { id: '89856f55-804a-4538-9fdd-220e2e726405', code: 'th', language: 'Thai' },
  { id: '24eb8cbd-628f-4633-a6d0-69088ba09241', code: 'te', language: 'Telugu' },
  { id: 'c4e9b8e4-cc5f-42b8-9ab3-1863a554e265', code: 'ta', language: 'Tamil' },
  { id: '68bd6d72-eaaf-41ab-90f1-36906d8e1c21', code: 'sv', language: 'Swedish' },
  { id: '92402f00-e2b7-4f9c-baed-f3daecfe9b67', code: 'sw', language: 'Swahili' },
  { id: '870bce23-e9b6-495a-9682-16f84dd03421', code: 'es_MX', language: 'Spanish (MEX)' },
  { id: 'b01b9678-ff03-4763-9f14-9b4d3560fc65', code: 'es_ES', language: 'Spanish (SPA)' },
  { id: '6b05a295-01b8-4ceb-a387-4e59d470e615', code: 'es_AR', language: 'Spanish (ARG)' },
  { id: 'ae0219c1-0105-4d7b-9c15-72ef9f43a288', code: 'es', language: 'Spanish' },
  { id: 'cb00eb16-52cc-4fb4-9170-6f45986748c3', code: 'sl', language: 'Slovenian' },
  { id: '4b92558d-10d2-462e-aa7c-9ed7cca0f2a5', code: 'pt_PT', language: 'Portuguese (POR)' },
  { id: 'd76a7513-d13f-429a-8502-b60276c2964b', code: 'pt_BR', language: 'Portuguese (BR)' },
  { id: '251f983d-6274-4533-9845-0484d134063b', code: 'pl', language: 'Polish' },
  { id: 'd5bac5fb-94e9-45a9-beab-97e0be965736', code: 'fa', language: 'Persian' },
  { id: '7ba8fd8a-7dc6-448d-bb34-9c3d19dde053', code: 'nb', language: 'Norwegian' },
  { id: 'a88b3f03-8d1c-4564-90a4-cdda8f536513', code: 'mr', language: 'Marathi' },
  { id: 'ff272f87-e878-4c2d-a367-ab9925ae8af5', code: 'ml', language: 'Malayalam' },
  { id: '8c7ea44d-1381-4a4f-b0fc-799b56bc869a', code: 'ms', language: 'Malay' },
  { id: '0145858f-0116-41af-a808-bbdae1c273d5', code: 'mk', language: 'Macedonian' },
  { id: '01fe5475-2262-4448-9f75-a6bdc2047def', code: 'lt', language: 'Lithuanian' },
  { id: '7eb9eff7-8f4c-4a94-8d63-534064b99b19', code: 'lv', language: 'Latvian' },
  { id: '2bd44bc3-5ec7-49e2-9668-64c8bf2c68e5', code: 'lo', language: 'Lao' },
  { id: '2b168f35-11fa-4171-a021-2cb0483d1f26', code: 'ko', language: 'Korean' },
  { id: '9f9fe49d-36fd-40d4-834d-7af7131503da', code: 'kk', language: 'Kazakh' },
  { id: '762e8f2d-504b-4657-bd8b-b8a2484db9cd', code: 'kn', language: 'Kannada' },
  { id: 'dea59943-5988-4e46-a0b7-6560b7f05fc7', code: 'ja', language: 'Japanese' },
  { id: 'a66f3c61-7b3f-43b6-ad99-993be84a48f5', code: 'it', language: 'Italian' },
  { id: 'f8c79be8-b491-46b8-b486-894788c87361', code: 'ga', language: 'Irish' },
  { id: '4052af17-586e-42c3-a64e-c2ea1209077f', code: 'hu', language: 'Hungarian' },
  { id: '81196783-fdad-41d8-9760-5d7c0e88436c', code: 'hi', language: 'Hindi' },
  { id: 'fa4c015b-0d5d-4279-a3bf-a14e99becbf0', code: 'he', language: 'Hebrew' },
  { id: '7ee8d3fd-fe67-4744-9fff-6d6f80ee0916', code: 'ha', language: 'Hausa' },
  { id: 'c17c42dd-1d90-4d90-abd9-b9afbe06003c', code: 'gu', language: 'Gujarati' },
  { id: '39b4019f-02c9-4e6b-8196-831d2cf9ceb5', code: 'el', language: 'Greek' },
  { id: 'b34557fc-ba25-4e12-b25c-2e094975c155', code: 'de', language: 'German' },
  { id: '7744b2ee-6aa9-43ef-a363-938d82247992', code: 'fr', language: 'French' },
  { id: 'c7e89d56-13b3-4ffd-a035-ff999bfaaf2d', code: 'fi', language: 'Finnish' },
  { id: 'a2bfdfca-1af6-48b8-b8eb-a756e7b22db3', code: 'fil', language: 'Filipino' },
  { id: 'efe7d76e-031c-48ab-9722-269fde5ae34e', code: 'et', language: 'Estonian' },
  { id: '38747eb3-73b1-49cb-b6c6-e39942cae46c', code: 'en_US', language: 'English (US)' },
  { id: '29d8ba2b-6b94-4311-930e-bac6c3ddfdd7', code: 'en_GB', language: 'English (UK)' },
  { id: '705a3e2a-8bf9-4145-97b2-a6b633b2209e', code: 'en', language: 'English' },
  { id: '187bc54f-b0d1-4f19-8b5c-a02395089512', code: 'nl', language: 'Dutch' },
  { id: 'c4aa0a6b-c534-44b3-9a10-875cfa48550d', code: 'da', language: 'Danish' },
  { id: '5719ab3e-27de-45a5-96cb-77a447fd7cb1', code: 'cs', language: 'Czech' },
  { id: '9df8ad6f-6b6c-403e-8b79-3cc7fbaf9537', code: 'hr', language: 'Croatian' },
  { id: '1f1fd155-a3a6-4bd0-9bfb-38ced007273d', code: 'zh_TW', language: 'Chinese (TAI)' },
  { id: '8f6336b5-5522-4f7e-81e1-2e4a21049529', code: 'zh_HK', language: 'Chinese (HKG)' },
  { id: 'b36784f7-daba-4bbf-beb6-5bab6ed208fb', code: 'zh_CN', language: 'Chinese (CHN)' },
  { id: '0300177e-ab8f-4063-8071-26661a269a10', code: 'ca', language: 'Catalan' },
  { id: '31bc3899-48ea-4245-b597-b59eb9e5876c', code: 'bg', language: 'Bulgarian' },
  { id: 'c28db5ba-f9e0-418a-bd6c-d23ee0bf104c', code: 'bn', language: 'Bengali' },
  { id: '82add2c5-7531-48a1-ae1e-db0b747c3072', code: 'az', language: 'Azerbaijani' },
  { id: 'b8eaece3-d43d-4cbe-9768-b41dac323455', code: 'ar', language: 'Arabic' },
  { id: 'a08fb4e2-a09f-42ee-8e9a-90bb5091af18', code: 'sq', language: 'Albanian' },
  { id: 'd60ec923-56d9-4ccb-9f4d-8572ed19c4ae', code: 'id', language: 'Indonesian' },
  { id: 'd9951d89-9b34-4fe0-883a-154e3fa1790d', code: 'af', language: 'Afrikaans' },
];

export interface SandboxTemplate {
  id: string;
  organization_id: string;
  name: string;
  language: string;
  header: { format: string; text?: string; example?: unknown } | null;
  body: string;
  /** `object|null` in the notes; the object's fields are not documented: here Meta's footer component's `text` [inferred]. */
  footer: { text: string } | null;
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
    // A WhatsApp Cloud API channel, shaped like the recorded wa_cloud integrations (settings without server_wa_id).
    // A fixed id, so seeding it does not move the ids drawn after it. Inactive, so the one active wa channel stays the
    // default of a send; a test switches it on to send through it.
    {
      id: '7d0c4a55-1f8e-4b6a-9a57-2c3e0f9b8d11',
      target_channel: 'wa_cloud',
      webhook: 'sandbox',
      settings: { pin: '<redacted>', account_name: 'Toko Maju Jaya (Cloud)', phone_number: '6281100000003', phone_number_id: '100000000000003' },
      organization_id: ORG_ID,
      created_at: created,
      is_active: false,
    },
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
        footer: t.footer ? { text: t.footer } : null,
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
  // Media headers and a dynamic URL button, shaped like the recorded listing (44 of its 100 templates have an
  // IMAGE, VIDEO or DOCUMENT header; template_1729068092 has a URL button with {{1}} in its url).
  add({
    name: 'promo_image',
    language: 'id',
    header: { format: 'IMAGE', example: '#<Hashie::Mash header_handle=#<Hashie::Array ["https://scontent.whatsapp.net/v/sandbox/promo.png"]>>' },
    body: 'Halo {{1}}, lihat promo minggu ini!',
    status: 'APPROVED',
    category: 'MARKETING',
  });
  add({
    name: 'invoice_document',
    language: 'id',
    header: { format: 'DOCUMENT', example: '#<Hashie::Mash header_handle=#<Hashie::Array ["https://scontent.whatsapp.net/v/sandbox/invoice.pdf"]>>' },
    body: 'Halo {{1}}, terlampir tagihan {{2}}.',
    status: 'APPROVED',
    category: 'UTILITY',
    buttons: [{ type: 'URL', text: 'Bayar', url: 'https://pay.example.com/{{1}}' }],
  });
  add({
    name: 'track_order',
    language: 'id',
    body: 'Halo {{1}}, pesanan Anda sedang dikirim.',
    status: 'APPROVED',
    category: 'UTILITY',
    buttons: [{ type: 'URL', text: 'Lacak', url: 'https://track.example.com/{{1}}' }],
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

/**
 * The account objects the recordings show, with their recorded ids, so the ids in help examples and the API documents
 * answer in the sandbox: contact list 534bd3d4-… (`get_contacts_contact_lists_ID_200.json` and its contacts listing)
 * and broadcast 98b463bc-… (`get_broadcasts_ID_whatsapp_200.json`, `…_log_200.json`, whose one entry failed).
 */
export const RECORDED = {
  contactList: {
    id: '534bd3d4-5395-46a9-bfbb-353f3a7721be',
    name: 'list_xlsx_contact_xlsx_1729113232530',
    createdAtMs: Date.parse('2024-10-16T21:13:57.746Z'),
    readyAtMs: Date.parse('2024-10-16T21:13:58.027Z'),
    variables: ['company', 'customer_name'],
    contacts: [
      { phone: '6287884114722', name: 'Valent XL Mekari', extra: { company: 'Mekari', customer_name: 'Valent XL' } },
      { phone: '62895385290500', name: 'Valent Mekari', extra: { company: 'Mekari', customer_name: 'Valent' } },
    ],
  },
  broadcast: {
    id: '98b463bc-a8f1-4f19-84df-ae62967ff795',
    name: 'broadcast_automation_1729027102497',
    channelId: '2fe8177e-3944-4abb-96ac-2db21c7ec0b8',
    contactListId: 'b05891ce-e4df-4ae4-8e95-f094925d4253',
    contactListName: 'list_ikim1',
    createdAtMs: Date.parse('2024-10-15T21:18:44.042Z'),
    startAtMs: Date.parse('2024-10-15T21:18:44.033Z'),
    template: {
      id: '6b6f8963-13cd-4e55-ab48-41c1578bfa4f',
      organization_id: ORG_ID,
      name: 'sorry_yee',
      language: 'id',
      header: null,
      body: '--STAGING--\n\nTabrak-tabrak masuk\nRapper kampung tabrak masuk\nMeski jauh jarak pandang\nCoba sedikit mengamuk\nKu ciptakan lirik dan beat\nSecepat kilat tapi tak sempit\n\nBerdiri tegar walaupun sulit\nTra mampu bersaing silahkan pamit\nOk gas-ok gas\nTambah dua torang gas',
      footer: null,
      buttons: [],
      status: 'APPROVED',
      category: 'MARKETING',
      quality_rating: null,
      quality_rating_text: 'Neutral',
    },
    recipient: { phone: '612381239', name: 'uzi' },
    failure: {
      http: '404',
      code: 2001,
      title: 'Template name does not exist in the translation',
      details: 'The template (sorry_yee) does not exist in the specified language (id) and locale (), or the template has not been approved',
    },
  },
} as const;
