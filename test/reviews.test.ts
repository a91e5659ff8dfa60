import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../src/platform/clock.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

/**
 * Reviews, NPS and social proof end to end over HTTP on a real server: the review page with real
 * uploads (multipart, as a browser without JavaScript posts it), moderation, the storefront JSON,
 * helpful votes, incentives, NPS with detractor alerts, CSV import and export.
 */
const DAY = 86_400_000
const HOSTILE = '<img src=x onerror=alert(1)></textarea><script>alert(2)</script>'

/** A 300 × 200 JPEG carrying GPS EXIF, as a phone writes it. */
async function jpegWithGps(): Promise<Buffer> {
  const raw = Buffer.alloc(300 * 200 * 3, 180)
  return sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'KandoCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 3096/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 4344/100' } })
    .toBuffer()
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: reviews and NPS`, () => {
    let s: TestServer
    let key: string
    let keyB: string
    let tenantId: string
    const clock = new ManualClock(new Date())
    let n = 0

    const call = (method: string, path: string, body?: unknown, k = key) => s.call(method, path, { key: k, body })
    const tokenOf = (url: string) => url.split('/').pop()!.split('?')[0]!

    /** An order whose parcel was delivered: both lines on one shipment. */
    async function deliveredOrder(extra: Record<string, unknown> = {}): Promise<{ id: string; lines: Array<{ id: string; variantId: string }> }> {
      const order = (await call('POST', '/api/v1/orders', sampleOrder(`rv-${dialect}-${++n}`, { status: 'confirmed', placedAt: clock.now().toISOString(), ...extra }))).body
      const sh = (await call('POST', `/api/v1/orders/${order.id}/shipments`, { carrier: 'yamato', origin: { location: 'loc_kanto' } })).body
      expect(sh.id, JSON.stringify(sh)).toMatch(/^shp_/)
      const ev = await call('POST', `/api/v1/shipments/${sh.id}/events`, { events: [{ status: 'delivered', rawStatus: '配達完了', occurredAt: clock.now().toISOString() }] })
      expect(ev.body.shipment.status).toBe('delivered')
      return order
    }
    async function reviewLink(orderId: string): Promise<string> {
      const r = await call('POST', '/api/v1/review-links', { orderId })
      expect(r.status).toBe(200)
      return tokenOf(r.body.url)
    }
    /** Posts the review form as a browser does (multipart/form-data). */
    async function postForm(token: string, fields: Array<[string, string]>, files: Array<[string, string, Buffer, string]> = []) {
      const form = new FormData()
      for (const [k, v] of fields) form.append(k, v)
      for (const [k, name, bytes, type] of files) form.append(k, new Blob([new Uint8Array(bytes)], { type }), name)
      const res = await fetch(`${s.url}/review/${token}`, { method: 'POST', body: form })
      return { status: res.status, text: await res.text() }
    }
    const storefront = async (product: string, q = '', shop = `rv-a-${dialect}`) => {
      const res = await fetch(`${s.url}/public/v1/${shop}/products/${product}/reviews${q}`, { headers: { origin: 'https://shop.example.jp' } })
      return { status: res.status, headers: res.headers, body: res.status === 200 ? await res.json() : await res.text() }
    }

    beforeAll(async () => {
      s = await startTestServer(dialect, {}, { clock, alertDelayMs: 1000 })
      const a = await s.kando.tenants.create({ slug: `rv-a-${dialect}`, name: '木漏れ日茶舗' })
      key = a.apiKey.key
      tenantId = a.tenant.id
      keyB = (await s.kando.tenants.create({ slug: `rv-b-${dialect}`, name: 'Other brand' })).apiKey.key
    }, 60_000)
    afterAll(async () => s?.close())

    it('the review page shows every delivered product; a photo keeps no GPS; verified, moderated, counted', async () => {
      const order = await deliveredOrder()
      const token = await reviewLink(order.id)
      expect(token.length).toBeGreaterThanOrEqual(43) // 256 bits in base64url
      // One token per order: asking again gives the same link.
      expect(await reviewLink(order.id)).toBe(token)
      const page = await fetch(`${s.url}/review/${token}`)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('感動ブレンド ドリップバッグ 10袋')
      expect(html).toContain('ハンドクリーム 柚子 50g')
      expect(html).toContain('enctype="multipart/form-data"')
      const products = [...html.matchAll(/name="product_(\d)" value="([^"]+)"/g)].map((m) => m[2]!)
      expect(products).toHaveLength(2)

      const photo = await jpegWithGps()
      expect((await sharp(photo).metadata()).exif).toBeDefined()
      const sent = await postForm(token, [
        ['product_0', products[0]!], ['rating_0', '5'], ['title_0', '香りが最高'], ['body_0', '毎朝の一杯が楽しみになりました。'],
        ['product_1', products[1]!], ['rating_1', '2'], ['body_1', 'べたつきが気になりました。'],
      ], [['media_0', 'IMG_0001.JPG', photo, 'image/jpeg']])
      expect(sent.status, sent.text.slice(0, 500)).toBe(200)
      expect(sent.text).toContain('レビューありがとうございます')

      const list = (await call('GET', `/api/v1/reviews?productId=${products[0]}`)).body.items
      expect(list).toHaveLength(1)
      expect(list[0]).toMatchObject({ rating: 5, verified: true, source: 'kando', status: 'published', authorName: '山田 様', orderId: order.id })
      expect(list[0].media).toHaveLength(1)
      const low = (await call('GET', `/api/v1/reviews?productId=${products[1]}`)).body.items[0]
      expect(low).toMatchObject({ rating: 2, status: 'pending' })
      expect(low.statusReason).toMatch(/threshold/)

      // The stored photo: re-encoded, no EXIF at all (so no GPS), still a 300 × 200 image.
      const stored = await fetch(`${s.url}/media/reviews/${list[0].media[0].id}`)
      expect(stored.status).toBe(200)
      expect(stored.headers.get('x-content-type-options')).toBe('nosniff')
      const bytes = Buffer.from(await stored.arrayBuffer())
      const meta = await sharp(bytes).metadata()
      expect(meta.exif).toBeUndefined()
      expect([meta.width, meta.height]).toEqual([300, 200])
      expect(bytes.includes(Buffer.from('KandoCam'))).toBe(false)
      // A pending review's photo is not public.
      const events = await s.kando.db.kysely.selectFrom('events').select(['type', 'subject']).where('tenant_id', '=', tenantId).where('type', 'like', 'review.%').execute()
      expect(events.filter((e) => e.type === 'review.submitted')).toHaveLength(2)
      expect(events.filter((e) => e.type === 'review.published').map((e) => e.subject)).toEqual([list[0].id])

      // The storefront sees only the published one.
      const sf = await storefront(products[0]!)
      expect(sf.status).toBe(200)
      expect(sf.headers.get('access-control-allow-origin')).toBe('*')
      expect(sf.body.summary).toEqual({ count: 1, average: 5, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 }, withMedia: 1, variants: [{ id: list[0].variantId, title: '感動ブレンド ドリップバッグ 10袋', count: 1, average: 5 }] })
      expect(sf.body.reviews[0]).toMatchObject({ rating: 5, title: '香りが最高', author: '山田 様', verified: true })
      expect(sf.body.socialProof.boughtThisWeek).toBeGreaterThanOrEqual(1)
      expect((await storefront(products[1]!)).body.summary.count).toBe(0)

      // Editing within the window: the same review changes, the aggregate follows.
      const again = await postForm(token, [['product_0', products[0]!], ['rating_0', '4'], ['body_0', '少し苦めでした。'], ['remove_0', list[0].media[0].id]])
      expect(again.status).toBe(200)
      const edited = (await call('GET', `/api/v1/reviews/${list[0].id}`)).body
      expect(edited).toMatchObject({ rating: 4, body: '少し苦めでした。', status: 'published' })
      expect(edited.media).toHaveLength(0)
      expect(edited.audit.map((a: { action: string }) => a.action)).toEqual(['submitted', 'edited'])
      const sf2 = await storefront(products[0]!)
      expect(sf2.body.summary).toMatchObject({ count: 1, average: 4, withMedia: 0 })
    })

    it('refuses an HTML page named .jpg (415) and an oversized photo (413) with a clear message, writing nothing', async () => {
      const order = await deliveredOrder()
      const token = await reviewLink(order.id)
      const html = await (await fetch(`${s.url}/review/${token}`)).text()
      const product = /name="product_0" value="([^"]+)"/.exec(html)![1]!
      const fake = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')
      const bad = await postForm(token, [['product_0', product], ['rating_0', '5'], ['body_0', '写真付きです']], [['media_0', 'photo.jpg', fake, 'image/jpeg']])
      expect(bad.status).toBe(415)
      expect(bad.text).toContain('photo.jpg')
      // What the customer typed comes back in the form.
      expect(bad.text).toContain('写真付きです')
      const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(16 * 1024 * 1024)])
      const tooBig = await postForm(token, [['product_0', product], ['rating_0', '5']], [['media_0', 'huge.jpg', big, 'image/jpeg']])
      expect(tooBig.status).toBe(413)
      expect(tooBig.text).toMatch(/15 MB/)
      const rows = await s.kando.db.kysely.selectFrom('reviews').select('id').where('tenant_id', '=', tenantId).where('order_id', '=', order.id).execute()
      expect(rows).toHaveLength(0)
      // The API says the same in problem+json.
      const rev = (await call('POST', '/api/v1/reviews', { productId: product, rating: 4, body: 'ok', authorName: 'A' })).body
      const api = await s.call('POST', `/api/v1/reviews/${rev.id}/media`, { key, rawBody: fake, headers: { 'content-type': 'image/jpeg', 'x-file-name': 'photo.jpg' } })
      expect(api.status).toBe(415)
      expect(api.headers.get('content-type')).toContain('application/problem+json')
      expect(api.body.detail).toContain('photo.jpg')
    })

    it('hostile text stays text on the page, in the API and in the storefront JSON; a phone number waits for moderation', async () => {
      const order = await deliveredOrder({ customer: { email: `h${n}@example.jp`, firstName: HOSTILE, lastName: HOSTILE, locale: 'ja' } })
      const token = await reviewLink(order.id)
      const page = await (await fetch(`${s.url}/review/${token}`)).text()
      const product = /name="product_0" value="([^"]+)"/.exec(page)![1]!
      const sent = await postForm(token, [['product_0', product], ['rating_0', '5'], ['title_0', HOSTILE], ['body_0', `${HOSTILE} 電話は090-1234-5678まで`]])
      expect(sent.status).toBe(200)
      const back = await (await fetch(`${s.url}/review/${token}`)).text()
      expect(back).not.toContain('<script>alert(2)')
      expect(back).not.toContain('<img src=x')
      expect(back).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
      const r = (await call('GET', `/api/v1/reviews?productId=${product}&status=pending`)).body.items.find((x: { orderId: string }) => x.orderId === order.id)
      expect(r.flags.map((f: { kind: string }) => f.kind)).toContain('personal_data')
      expect(r.statusReason).toMatch(/personal data/)
      // Approved anyway by the brand: published, audited with the actor; the reply shows in the JSON.
      const approved = (await call('POST', `/api/v1/reviews/${r.id}/approve`, { reason: 'checked by staff' })).body
      expect(approved.status).toBe('published')
      await call('PUT', `/api/v1/reviews/${r.id}/reply`, { body: 'ご連絡ありがとうございます。' })
      const sf = (await storefront(product, '?sort=newest')).body
      const shown = sf.reviews.find((x: { id: string }) => x.id === r.id)
      expect(shown.body).toContain(HOSTILE)
      expect(shown.reply.body).toBe('ご連絡ありがとうございます。')
      const audit = (await call('GET', `/api/v1/reviews/${r.id}`)).body.audit
      expect(audit.map((a: { action: string; actor: string }) => `${a.action}:${a.actor}`)).toEqual(['submitted:customer', 'approved:api', 'replied:api'])
      // The customer withdraws it through their link: gone from the storefront, audited.
      const before = (await storefront(product)).body.summary.count
      const w = await fetch(`${s.url}/review/${token}/withdraw/${r.id}`, { method: 'POST' })
      expect(w.status).toBe(200)
      expect((await storefront(product)).body.summary.count).toBe(before - 1)
      expect((await call('GET', `/api/v1/reviews/${r.id}`)).body).toMatchObject({ status: 'removed' })
      expect((await call('POST', `/api/v1/reviews/${r.id}/approve`, {})).status).toBe(409)
    })

    it('reviews from other sources are marked by source and never verified; another brand cannot see them', async () => {
      const order = await deliveredOrder()
      const productId = (await call('GET', `/api/v1/orders/${order.id}`)).body.lines[0].variantId
      const product = (await s.kando.catalog.describeVariants(s.kando.scope(tenantId), [productId])).get(productId)!.productId
      const first = await call('POST', '/api/v1/reviews', { productId: product, source: 'rakuten', externalId: 'rk-1', rating: 5, body: 'よかったです', authorName: 'K.T' })
      expect(first.status).toBe(201)
      expect(first.body).toMatchObject({ source: 'rakuten', verified: false })
      const repeat = await call('POST', '/api/v1/reviews', { productId: product, source: 'rakuten', externalId: 'rk-1', rating: 5, body: 'よかったです', authorName: 'K.T' })
      expect(repeat.status).toBe(200)
      expect(repeat.body.id).toBe(first.body.id)
      expect((await call('POST', '/api/v1/reviews', { productId: product, source: 'kando', rating: 5, body: 'x', authorName: 'x' })).status).toBe(422)
      expect((await call('GET', `/api/v1/reviews/${first.body.id}`, undefined, keyB)).status).toBe(404)
      expect((await call('POST', `/api/v1/reviews/${first.body.id}/approve`, {}, keyB)).status).toBe(404)
      expect((await storefront(product, '', `rv-b-${dialect}`)).status).toBe(404)
    })

    it('storefront JSON: sorts, filters, caches with an ETag; helpful votes count once per visitor and per address', async () => {
      const order = await deliveredOrder()
      const variantId = (await call('GET', `/api/v1/orders/${order.id}`)).body.lines[0].variantId
      const product = (await s.kando.catalog.describeVariants(s.kando.scope(tenantId), [variantId])).get(variantId)!.productId
      const base = (await storefront(product)).body.summary.count
      for (const [i, rating] of [5, 3, 4, 1].entries()) {
        await call('POST', '/api/v1/reviews', { productId: product, source: 'import', externalId: `sf-${dialect}-${i}`, rating, body: `レビュー${i}`, authorName: `R${i}`, publish: true, createdAt: new Date(clock.now().getTime() - (10 - i) * DAY).toISOString() })
      }
      const all = await storefront(product, '?sort=rating_asc&limit=50')
      expect(all.body.summary.count).toBe(base + 4)
      const ratings = all.body.reviews.map((r: { rating: number }) => r.rating)
      expect(ratings).toEqual([...ratings].sort((a: number, b: number) => a - b))
      expect((await storefront(product, '?rating=3')).body.reviews.every((r: { rating: number }) => r.rating === 3)).toBe(true)
      const etag = all.headers.get('etag')!
      const cached = await fetch(`${s.url}/public/v1/rv-a-${dialect}/products/${product}/reviews?sort=rating_asc&limit=50`, { headers: { 'if-none-match': etag } })
      expect(cached.status).toBe(304)
      expect((await storefront(product, '?sort=bogus')).status).toBe(422)

      const target = all.body.reviews.find((r: { rating: number }) => r.rating === 1).id
      const vote = (visitor: string, ip = '203.0.113.7') => fetch(`${s.url}/public/v1/rv-a-${dialect}/reviews/${target}/helpful`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ visitor }) }).then(async (r) => ({ status: r.status, body: await r.json() }))
      const v1 = await vote('a'.repeat(32))
      expect(v1).toMatchObject({ status: 200, body: { helpful: 1, counted: true } })
      expect((await vote('a'.repeat(32))).body).toMatchObject({ helpful: 1, counted: false })
      // A new visitor id from the same address (storage cleared) does not vote again either.
      expect((await vote('b'.repeat(32))).body).toMatchObject({ helpful: 1, counted: false })
      expect((await vote('not hex')).status).toBe(422)
      // The change shows at once in this process (the cache is dropped for the product).
      const helpfulFirst = await storefront(product, '?sort=helpful&limit=1')
      expect(helpfulFirst.body.reviews[0].id).toBe(target)
      const pre = await fetch(`${s.url}/public/v1/rv-a-${dialect}/reviews/${target}/helpful`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.jp', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    })

    it('storefront cache: another process’s change shows within 60 s (stale once, then fresh), never older than 10 min; concurrent misses build once', async () => {
      // A product of its own: orders of the other tests do not move its "bought this week" (a
      // changed count rightly rebuilds a page instead of revalidating it).
      const order = await deliveredOrder({ lines: [{ sku: `RV-CACHE-${dialect}`, title: 'キャッシュ検証用 茶葉', quantity: 1, unitPrice: 1200 }], shippingTotal: 0, total: 1200 })
      const variantId = (await call('GET', `/api/v1/orders/${order.id}`)).body.lines[0].variantId
      const product = (await s.kando.catalog.describeVariants(s.kando.scope(tenantId), [variantId])).get(variantId)!.productId
      const created = await call('POST', '/api/v1/reviews', { productId: product, source: 'import', externalId: `cache-${dialect}`, rating: 4, body: 'キャッシュ', authorName: 'C', publish: true })
      expect(created.status).toBe(201)
      const id = created.body.id
      const helpful = async () => (await storefront(product, '?sort=newest&limit=50')).body.reviews.find((r: { id: string }) => r.id === id).helpful as number
      // Another API node counts votes: this process is not told (the same UPDATE its vote() runs).
      // Another API node counts a vote: the same two UPDATEs its vote() runs (the count, and the
      // product page's validator); this process is not told.
      const elsewhere = async (n: number) => {
        await s.kando.scope(tenantId).updateTable('reviews').set({ helpful: n }).where('id', '=', id).execute()
        await s.kando.scope(tenantId).updateTable('review_stats').set((eb) => ({ version: eb('version', '+', 1) })).where('product_id', '=', product).where('variant_id', '=', '').execute()
      }
      expect(await helpful()).toBe(0)
      await elsewhere(3)
      expect(await helpful()).toBe(0) // fresh for 60 s
      clock.advance(61_000)
      const before = s.kando.reviews.storefrontCacheCounts()
      expect(await helpful()).toBe(0) // stale, served while one refresh runs
      await expect.poll(helpful, { timeout: 5_000 }).toBe(3)
      const after = s.kando.reviews.storefrontCacheCounts()
      expect(after.stale - before.stale).toBeGreaterThanOrEqual(1) // more while the refresh is still running
      expect(after.refreshes - before.refreshes).toBe(1)
      // Nothing changed since: the stale page is checked (one statement), not rebuilt; same ETag.
      const etag0 = (await storefront(product, '?sort=newest&limit=50')).headers.get('etag')
      clock.advance(61_000)
      const r0 = s.kando.reviews.storefrontCacheCounts()
      expect((await storefront(product, '?sort=newest&limit=50')).headers.get('etag')).toBe(etag0)
      await expect.poll(() => s.kando.reviews.storefrontCacheCounts().revalidated - r0.revalidated, { timeout: 5_000, message: JSON.stringify([r0, s.kando.reviews.storefrontCacheCounts()]) }).toBe(1)
      expect(s.kando.reviews.storefrontCacheCounts().refreshes - r0.refreshes).toBe(0)
      // Ten minutes after it was built a body is not served stale: the caller waits for a fresh one.
      await elsewhere(7)
      clock.advance(11 * 60_000)
      expect(await helpful()).toBe(7)

      // 20 concurrent requests for a page nobody asked for yet: one build, the others join it.
      const b0 = s.kando.reviews.storefrontCacheCounts()
      const answers = await Promise.all(Array.from({ length: 20 }, () => storefront(product, '?sort=rating_desc&limit=7')))
      expect(new Set(answers.map((a) => a.headers.get('etag'))).size).toBe(1)
      const b1 = s.kando.reviews.storefrontCacheCounts()
      expect(b1.statsBuilt - b0.statsBuilt).toBeLessThanOrEqual(1)
      expect(b1.fresh + b1.built - b0.fresh - b0.built).toBe(20)
      // An unknown product is a 404, and so is a product of another brand.
      expect((await storefront('prod_unknown')).status).toBe(404)
      expect((await storefront(product, '', `rv-b-${dialect}`)).status).toBe(404)
    })

    it('storefront pages match the stored reviews: every sort, page, rating and the photos filter, photos in upload order', async () => {
      // A product of its own, 14 published reviews (ties in date and helpfulness, so the id breaks
      // them), one waiting for moderation, photos on three of them.
      const made = await call('POST', '/api/v1/products', {
        externalId: `rv-order-${dialect}`, title: '順序検証用 湯呑み',
        variants: [{ sku: `RV-ORDER-S-${dialect}`, title: '小', price: 2200, currency: 'JPY' }, { sku: `RV-ORDER-L-${dialect}`, title: '大', price: 2800, currency: 'JPY' }],
      })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      const product = made.body.id as string
      const ids: string[] = []
      for (let i = 0; i < 14; i++) {
        const r = await call('POST', '/api/v1/reviews', {
          ...(i % 3 === 0 ? { sku: `RV-ORDER-L-${dialect}` } : { productId: product }), source: 'import', externalId: `order-${dialect}-${i}`,
          rating: [5, 4, 5, 3, 1, 5, 2, 4, 5, 4, 3, 5, 1, 4][i], body: `順序${i}`, authorName: `O${i}`, publish: true,
          createdAt: new Date(clock.now().getTime() - (i % 5) * DAY).toISOString(),
        })
        expect(r.status).toBe(201)
        ids.push(r.body.id)
      }
      const pending = await call('POST', '/api/v1/reviews', { productId: product, rating: 2, body: 'まだ非公開', authorName: 'P' })
      expect(pending.body.status).not.toBe('published')
      const scope = s.kando.scope(tenantId)
      for (const [i, n] of [[2, 3], [5, 3], [7, 1], [9, 8]] as const) await scope.updateTable('reviews').set({ helpful: n }).where('id', '=', ids[i]!).execute()
      const photo = (w: number) => sharp(Buffer.alloc(w * 100 * 3, 90), { raw: { width: w, height: 100, channels: 3 } }).jpeg().toBuffer()
      for (const [i, widths] of [[1, [320, 240, 160]], [6, [200]], [12, [120, 360]]] as const) {
        for (const w of widths) {
          const up = await s.call('POST', `/api/v1/reviews/${ids[i]}/media`, { key, rawBody: await photo(w), headers: { 'content-type': 'image/jpeg', 'x-file-name': `p${w}.jpg` } })
          expect(up.status, JSON.stringify(up.body)).toBeLessThan(300)
        }
      }

      // The reference: the same question asked of the tables directly.
      const db = s.kando.db.kysely
      const orders = {
        helpful: [['helpful', 'desc'], ['published_at', 'desc'], ['id', 'desc']],
        newest: [['published_at', 'desc'], ['id', 'desc']],
        rating_desc: [['rating', 'desc'], ['published_at', 'desc'], ['id', 'desc']],
        rating_asc: [['rating', 'asc'], ['published_at', 'desc'], ['id', 'desc']],
      } as const
      const expected = async (sort: keyof typeof orders, q: { photos?: boolean; rating?: number }) => {
        let sel = db.selectFrom('reviews').select(['id', 'rating', 'variant_id']).where('tenant_id', '=', tenantId).where('product_id', '=', product).where('status', '=', 'published')
        if (q.photos) sel = sel.where('media_count', '>', 0)
        if (q.rating) sel = sel.where('rating', '=', q.rating)
        for (const [col, dir] of orders[sort]) sel = sel.orderBy(col, dir)
        return sel.execute()
      }
      const mediaOf = async (reviewId: string) => (await db.selectFrom('review_media').select('id').where('review_id', '=', reviewId).orderBy('position').execute()).map((m) => `/media/reviews/${m.id}`)
      const variantTitle = new Map<string, string>(made.body.variants.map((v: { id: string; title: string }) => [v.id, v.title]))

      const cases: Array<[keyof typeof orders, { photos?: boolean; rating?: number }]> = [
        ['helpful', {}], ['newest', {}], ['rating_desc', {}], ['rating_asc', {}], ['helpful', { photos: true }], ['newest', { rating: 5 }], ['rating_asc', { photos: true }],
      ]
      for (const [sort, q] of cases) {
        const want = await expected(sort, q)
        for (let page = 1; page <= 4; page++) {
          const query = `?sort=${sort}&limit=4&page=${page}${q.photos ? '&filter=photos' : ''}${q.rating ? `&rating=${q.rating}` : ''}`
          const got = await storefront(product, query)
          expect(got.status).toBe(200)
          const slice = want.slice((page - 1) * 4, page * 4)
          expect(got.body.reviews.map((r: { id: string }) => r.id), query).toEqual(slice.map((r) => r.id))
          expect(got.body.page).toEqual({ page, limit: 4, total: want.length, hasMore: page * 4 < want.length })
          for (const [k, r] of slice.entries()) {
            const shown = got.body.reviews[k]
            expect(shown.media.map((m: { url: string }) => m.url), query).toEqual(await mediaOf(r.id))
            expect(shown.variant).toBe(r.variant_id ? variantTitle.get(r.variant_id) ?? null : null)
          }
        }
      }
      // Photos in the order they were uploaded, with their sizes.
      const withPhotos = (await storefront(product, '?sort=newest&limit=50&filter=photos')).body
      expect(withPhotos.reviews.find((r: { id: string }) => r.id === ids[1]).media.map((m: { width: number }) => m.width)).toEqual([320, 240, 160])
      expect(withPhotos.summary).toMatchObject({ count: 14, withMedia: 3, distribution: { '1': 2, '2': 1, '3': 2, '4': 4, '5': 5 } })
      expect(withPhotos.summary.variants).toEqual([{ id: made.body.variants[1].id, title: '大', count: 5, average: 3 }])
    })

    it('a thank-you coupon once per review, by what was written (text or photo), never by the rating', async () => {
      const textPool = (await call('POST', '/api/v1/coupon-pools', { name: 'レビュー御礼' })).body
      await call('POST', `/api/v1/coupon-pools/${textPool.id}/codes`, { codes: ['THANKS-1', 'THANKS-2', 'THANKS-3'] })
      const settings = (await call('GET', '/api/v1/review-settings')).body
      const put = await call('PUT', '/api/v1/review-settings', { ...settings, incentives: { textPoolId: textPool.id, photoPoolId: null, textMinLength: 10 } })
      expect(put.status, JSON.stringify(put.body)).toBe(200)
      const order = await deliveredOrder()
      const token = await reviewLink(order.id)
      const page = await (await fetch(`${s.url}/review/${token}`)).text()
      const products = [...page.matchAll(/name="product_(\d)" value="([^"]+)"/g)].map((m) => m[2]!)
      const sent = await postForm(token, [
        ['product_0', products[0]!], ['rating_0', '1'], ['body_0', '残念ながら好みの味ではありませんでした。'],
        ['product_1', products[1]!], ['rating_1', '5'], ['body_1', '短い'],
      ])
      expect(sent.status).toBe(200)
      // The 1★ review with enough text gets a code; the 5★ one with two words does not.
      const [low] = (await call('GET', `/api/v1/reviews?productId=${products[0]}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)
      const [high] = (await call('GET', `/api/v1/reviews?productId=${products[1]}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)
      expect(low.incentive).toMatchObject({ tier: 'text', code: expect.stringMatching(/^THANKS-/) })
      expect(high.incentive).toBeNull()
      expect(sent.text).toContain(low.incentive.code)
      // Editing again does not hand out a second code.
      await postForm(token, [['product_0', products[0]!], ['rating_0', '2'], ['body_0', '二度目に飲んだら慣れてきました。']])
      expect((await call('GET', `/api/v1/reviews/${low.id}`)).body.incentive.code).toBe(low.incentive.code)
      expect((await call('GET', `/api/v1/coupon-pools/${textPool.id}`)).body.codes.issued).toBe(1)
      await call('PUT', '/api/v1/review-settings', settings)
    })

    it('NPS: one click records the score, a scanner clicking every score is not an answer, detractors alert the brand', async () => {
      const settings = (await call('GET', '/api/v1/review-settings')).body
      await call('PUT', '/api/v1/review-settings', { ...settings, alerts: { email: 'cx@komorebi.example.jp' } })
      const surveys: string[] = []
      for (let i = 0; i < 4; i++) {
        const order = await deliveredOrder()
        const link = (await call('POST', '/api/v1/surveys', { kind: 'nps', orderId: order.id })).body
        expect(link.url).toMatch(/\/nps\/[A-Za-z0-9_-]{43}$/)
        surveys.push(tokenOf(link.url))
      }
      const click = (t: string, score: number) => fetch(`${s.url}/nps/${t}?score=${score}`).then(async (r) => ({ status: r.status, text: await r.text() }))
      const first = await click(surveys[0]!, 3)
      expect(first.status).toBe(200)
      expect(first.text).toContain('ご回答ありがとうございます')
      expect(first.text).toMatch(/id="s-3" name="score" value="3" checked/)
      await fetch(`${s.url}/nps/${surveys[0]}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ score: '3', comment: '届くのが遅かった' }).toString() })
      await click(surveys[1]!, 10)
      await click(surveys[2]!, 8)
      // A link scanner opens 0..10 within a second.
      for (let sc = 0; sc <= 10; sc++) await click(surveys[3]!, sc)
      // The alert of a one-click answer waits a moment (here 1 s) and looks again: the scanner's 0 alerts no one.
      clock.advance(2000)
      const report = (await call('GET', '/api/v1/surveys/report?by=carrier')).body
      // Answers 3, 10, 8: (1 − 1) / 3 = 0; the scanner's clicks are left out.
      expect(report.overall).toMatchObject({ responses: 3, promoters: 1, passives: 1, detractors: 1, nps: 0 })
      expect(report.groups).toEqual([expect.objectContaining({ key: 'yamato', responses: 3 })])
      const byCentre = (await call('GET', '/api/v1/surveys/report?by=location')).body
      expect(byCentre.groups[0]).toMatchObject({ key: 'loc_kanto', responses: 3 })
      // The scanner's survey counts once a person confirms on the page.
      await fetch(`${s.url}/nps/${surveys[3]}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=9' })
      expect((await call('GET', '/api/v1/surveys/report')).body.overall).toMatchObject({ responses: 4, nps: 25 })
      // The detractor (3) reached the brand's inbox: the alert went through the send queue.
      let alert: { subject: string } | undefined
      for (let i = 0; i < 100 && !alert; i++) {
        alert = (await s.kando.notifications.mailbox(s.kando.scope(tenantId), { limit: 20, to: 'cx@komorebi.example.jp' })).find((m) => m.subject.includes('NPS'))
        if (!alert) await new Promise((r) => setTimeout(r, 100))
      }
      expect(alert?.subject).toBe('【NPS】低評価（3点）が届きました')
      const answers = (await call('GET', '/api/v1/surveys/responses?kind=nps')).body.items
      expect(answers.find((a: { score: number }) => a.score === 3)).toMatchObject({ comment: '届くのが遅かった', via: 'form' })
      expect(answers.filter((a: { alertedAt: string | null }) => a.alertedAt)).toHaveLength(1)
      // CSAT after a return: 1–5.
      const csat = (await call('POST', '/api/v1/surveys', { kind: 'csat', subject: 'return:ret_123' })).body
      expect((await click(tokenOf(csat.url), 4)).status).toBe(200)
      expect((await call('GET', '/api/v1/surveys/report?kind=csat')).body.overall).toMatchObject({ responses: 1, csat: 100, average: 4 })
      // A dissatisfied CSAT (1–2) reaches the brand too, naming the return; the 4 above did not.
      const unhappy = (await call('POST', '/api/v1/surveys', { kind: 'csat', subject: 'return:ret_456' })).body
      await fetch(`${s.url}/nps/${tokenOf(unhappy.url)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=1&comment=' + encodeURIComponent('返金まで時間がかかった') })
      let csatAlert: { id: string; subject: string } | undefined
      for (let i = 0; i < 100 && !csatAlert; i++) {
        csatAlert = (await s.kando.notifications.mailbox(s.kando.scope(tenantId), { limit: 20, to: 'cx@komorebi.example.jp' })).find((m) => m.subject.includes('CSAT'))
        if (!csatAlert) await new Promise((r) => setTimeout(r, 100))
      }
      expect(csatAlert?.subject).toBe('【CSAT】低評価（1点）が届きました')
      expect((await s.kando.notifications.mail(s.kando.scope(tenantId), csatAlert!.id))!.text).toMatch(/CSAT 1 \/ 5[\s\S]*Return: ret_456[\s\S]*返金まで時間がかかった/)
      const csatAnswers = (await call('GET', '/api/v1/surveys/responses?kind=csat')).body.items
      expect(csatAnswers.filter((a: { alertedAt: string | null }) => a.alertedAt).map((a: { subject: string }) => a.subject)).toEqual(['return:ret_456'])
      await call('PUT', '/api/v1/review-settings', settings)
    })

    it('a review-request message carries the order’s review link; the window closes', async () => {
      const order = await deliveredOrder()
      const scope = s.kando.scope(tenantId)
      const { message } = await s.kando.db.transaction((trx) => s.kando.notifications.prepare(scope.with(trx), { type: 'review_request', orderId: order.id, subjectRef: `rr:${order.id}` }))
      const payload = (await s.kando.db.kysely.selectFrom('messages').select('payload').where('id', '=', message.id).executeTakeFirstOrThrow()).payload
      const link = JSON.parse(payload).ctx.links.review as string
      expect(link).toMatch(/\/review\/[A-Za-z0-9_-]{43}\?utm_source=kando&utm_medium=email&utm_campaign=review_request&m=msg_/)
      const token = tokenOf(link)
      expect((await fetch(`${s.url}/review/${token}`)).status).toBe(200)
      clock.advance(61 * DAY)
      try {
        const closed = await (await fetch(`${s.url}/review/${token}`)).text()
        expect(closed).toContain('レビューの受付は終了しました')
        const late = await postForm(token, [['product_0', 'x'], ['rating_0', '5']])
        expect(late.text).toContain('レビューの受付は終了しました')
        expect((await fetch(`${s.url}/review/${'A'.repeat(43)}`)).status).toBe(404)
      } finally {
        clock.advance(-61 * DAY)
      }
    })

    it('the built-in review request: its message links to the review page; a review through it ends the wait, so no reminder', async () => {
      const scope = s.kando.scope(tenantId)
      const flow = await s.kando.flows.create(scope, { builtin: 'review_request', locale: 'ja', options: { waitDays: 1 } })
      await s.kando.flows.activate(scope, flow.id, {})
      try {
        const order = await deliveredOrder()
        await s.kando.flows.runDue()
        clock.advance(DAY + 60_000)
        await s.kando.flows.runDue()
        const sent = await s.kando.db.kysely.selectFrom('messages').select(['id', 'payload', 'status']).where('tenant_id', '=', tenantId).where('order_id', '=', order.id).where('type', '=', 'review_request').execute()
        expect(sent).toHaveLength(1)
        const token = tokenOf(JSON.parse(sent[0]!.payload).ctx.links.review)
        const html = await (await fetch(`${s.url}/review/${token}`)).text()
        const product = /name="product_0" value="([^"]+)"/.exec(html)![1]!
        expect((await postForm(token, [['product_0', product], ['rating_0', '5'], ['body_0', 'とても良い']])).status).toBe(200)
        await s.kando.flows.runDue()
        clock.advance(6 * DAY)
        await s.kando.flows.runDue()
        const after = await s.kando.db.kysely.selectFrom('messages').select('id').where('tenant_id', '=', tenantId).where('order_id', '=', order.id).where('type', '=', 'review_request').execute()
        expect(after).toHaveLength(1)
        const runs = (await call('GET', `/api/v1/flows/${flow.id}/runs`)).body.items
        const run = (await call('GET', `/api/v1/flow-runs/${runs[0].id}`)).body
        expect(run.status).toBe('completed')
        expect(run.log.map((l: { stepId: string; outcome: string }) => l.stepId)).not.toContain('remind')
      } finally {
        clock.advance(-7 * DAY - 60_000)
        await s.kando.flows.archive(scope, flow.id)
      }
    })

    it('CSV import shows progress, skips bad rows with their line number, adds nothing twice; export is safe in a spreadsheet', async () => {
      const order = await deliveredOrder()
      const variantId = (await call('GET', `/api/v1/orders/${order.id}`)).body.lines[0].variantId
      const product = (await s.kando.catalog.describeVariants(s.kando.scope(tenantId), [variantId])).get(variantId)!.productId
      const rows = ['product_id,rating,title,body,author,created_at']
      for (let i = 0; i < 450; i++) rows.push(`${product},${(i % 5) + 1},"タイトル${i}","本文, ${i}",購入者${i},2026-10-01T00:00:00+09:00`)
      rows.push(`${product},9,bad,"評価が範囲外",x,`)
      rows.push(`${product},5,"=HYPERLINK(""http://evil"")","=1+1",attacker,`)
      const csv = rows.join('\n')
      const started = await s.call('POST', '/api/v1/reviews/imports', { key, rawBody: csv, headers: { 'content-type': 'text/csv' } })
      expect(started.status).toBe(202)
      expect(started.body.total).toBe(452)
      let status = (await call('GET', `/api/v1/reviews/imports/${started.body.id}`)).body
      const seen = new Set<number>([status.processed])
      for (let i = 0; i < 300 && status.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 20))
        status = (await call('GET', `/api/v1/reviews/imports/${started.body.id}`)).body
        seen.add(status.processed)
      }
      expect(status).toMatchObject({ status: 'done', total: 452, processed: 452, created: 451, skipped: 1 })
      expect(status.errors).toEqual([expect.objectContaining({ row: 452 })])
      const again = await s.call('POST', '/api/v1/reviews/imports', { key, rawBody: csv, headers: { 'content-type': 'text/csv' } })
      let st2 = (await call('GET', `/api/v1/reviews/imports/${again.body.id}`)).body
      for (let i = 0; i < 300 && st2.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 20))
        st2 = (await call('GET', `/api/v1/reviews/imports/${again.body.id}`)).body
      }
      expect(st2).toMatchObject({ status: 'done', created: 0, skipped: 452 })
      const exp = await fetch(`${s.url}/api/v1/reviews/export.csv`, { headers: { authorization: `Bearer ${key}` } })
      expect(exp.headers.get('content-type')).toContain('text/csv')
      const raw = Buffer.from(await exp.arrayBuffer())
      expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // BOM: Excel reads UTF-8
      const text = raw.toString('utf8')
      expect(text.startsWith('\ufeffid,product_id')).toBe(true)
      expect(text).toContain("'=HYPERLINK")
      expect(text).toContain("'=1+1")
      expect(text).not.toMatch(/,=1\+1/)
      expect((await call('POST', '/api/v1/reviews/imports', undefined)).status).toBeGreaterThanOrEqual(400)
    })
  })
}
