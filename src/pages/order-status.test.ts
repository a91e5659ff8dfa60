import { describe, expect, it } from 'vitest'
import { renderOrderStatus } from './order-status.js'
import type { Order } from '../modules/orders/index.js'

const order: Order = {
  id: 'ord_x', source: 'shopify', externalId: '1', number: '#1001', status: 'shipped', customerId: null, email: null, phone: null,
  currency: 'JPY', subtotal: 5440, shippingTotal: 550, taxTotal: 0, discountTotal: 0, total: 5990,
  shippingAddress: { name: '<script>alert(1)</script>', postalCode: '150-0001', region: '東京都', city: '渋谷区', country: 'JP' },
  billingAddress: null, landingSite: null, referringSite: null, tags: [], note: null, attributes: {},
  placedAt: '2026-11-20T01:15:00.000Z', createdAt: '', updatedAt: '', version: 3, trackingToken: 't',
  lines: [{ id: 'l', position: 1, externalId: null, sku: 'A', variantId: null, title: 'ハンドクリーム "柚子" & <b>', variantTitle: '50g', quantity: 2, unitPrice: 2200, discount: 0, requiresShipping: true, shippedQuantity: 2 }],
  history: [
    { from: null, to: 'placed', reason: null, actor: 'a', at: '' },
    { from: 'placed', to: 'confirmed', reason: null, actor: 'a', at: '' },
    { from: 'confirmed', to: 'shipped', reason: null, actor: 'a', at: '' },
  ],
}

describe('order status page', () => {
  it('renders Japanese by default with the steps reached, in the Tokyo time zone', () => {
    const page = renderOrderStatus(order, '感動ストア', 'ja')
    expect(page).toContain('<html lang="ja">')
    expect(page).toContain('ご注文番号: <strong>#1001</strong>')
    expect(page).toContain('2026年11月20日 10:15')
    expect(page).toContain('<li class="done">発送済み</li>')
    expect(page).toContain('<li class="">お届け済み</li>')
    expect(page).toContain('￥5,990')
  })
  it('escapes customer strings', () => {
    const page = renderOrderStatus(order, '<i>brand</i>', 'en')
    expect(page).not.toContain('<script>')
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).toContain('ハンドクリーム &quot;柚子&quot; &amp; &lt;b&gt;')
    expect(page).toContain('&lt;i&gt;brand&lt;/i&gt;')
  })
})
