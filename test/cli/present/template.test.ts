import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFormat } from '../../../src/cli/time.js';
import { template } from '../../../src/cli/present/template.js';
import { toTemplate } from '../../../src/providers/qontak/mapping.js';

test('a template as the account holds it: camelCase fields only, never the provider\'s own object', () => {
  const raw = {
    id: 't1',
    organization_id: 'org',
    name: 'call_us',
    language: 'id',
    header: { format: 'IMAGE', example: '#<Hashie::Mash header_handle=#<Hashie::Array ["https://x/y.png"]>>' },
    body: 'Halo {{1}}',
    footer: null,
    buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phone_number: '+6281234567890' }],
    status: 'APPROVED',
    category: 'UTILITY',
    quality_rating: 'GREEN',
    quality_rating_text: null,
  };
  const t = template.toJson(toTemplate(raw), timeFormat({}));
  assert.deepEqual(Object.keys(t), ['id', 'name', 'language', 'status', 'category', 'body', 'header', 'footer', 'buttons', 'qualityRating']);
  assert.deepEqual(t.buttons, [{ type: 'PHONE_NUMBER', text: 'Call', url: null, phoneNumber: '+6281234567890', example: null }]);
  assert.deepEqual(t.header, { format: 'IMAGE', text: null, example: raw.header.example });
  assert.equal(t.qualityRating, 'GREEN');
  assert.doesNotMatch(JSON.stringify(t), /organization_id|quality_rating|phone_number/);
});
