import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/**
 * The storefront reviews widget, served as-is at `/widget/reviews.js` (plain JavaScript, no build,
 * kept under 15 KB; the browser test checks the size).
 *
 * Shop page:
 * @example
 * <script src="https://kando.example/widget/reviews.js" defer></script>
 * <kando-reviews shop="komorebi" product="prd_123" lang="ja"></kando-reviews>
 *
 * Attributes: `shop` (tenant slug), `product` (id or external id), `lang` (`ja` default, `en`),
 * `api` (base URL; default: the origin of the script's own src), `limit` (default 5, at most 50),
 * `jsonld="off"` (no schema.org script, for themes that already emit Product JSON-LD).
 *
 * What it calls (both with `credentials: 'omit'`):
 * - `GET {api}/public/v1/{shop}/products/{product}/reviews?sort=helpful|newest|rating_desc|rating_asc
 *   [&filter=photos]&page=N&limit=N&lang=ja|en` with only `Accept: application/json`: a simple
 *   CORS request, so the server needs `Access-Control-Allow-Origin` but sees no preflight.
 * - `POST {api}/public/v1/{shop}/reviews/{id}/helpful` with `Content-Type: application/json` and
 *   `{"visitor":"<32 hex>"}`, answered by `{"helpful":n}`. The content type makes it preflighted:
 *   the server answers OPTIONS with Allow-Methods POST and Allow-Headers content-type.
 *
 * Why the light DOM and not a shadow root: the reviews are part of the page, so screen readers,
 * find-in-page, translation tools and crawlers see them as ordinary content; ids and labels resolve
 * in one tree; the page's fonts apply; and brands restyle the `.kr-*` classes with plain CSS. The
 * default rules are prefixed `kando-reviews …` and prepended to `<head>`: they beat a theme's bare
 * `button {}` or `:focus {outline: none}`, and a brand's own `kando-reviews .kr-more {…}` (same weight,
 * later) wins. `--kando-accent` sets the brand colour; pick one with 4.5:1 against white, since it
 * colours the "show more" text and the focus ring.
 *
 * Safety: customer strings go in with textContent / setAttribute only (one `h()` helper builds every
 * element), URLs from the JSON are used only when they resolve to http(s), widths go through the
 * CSSOM (allowed under a CSP without 'unsafe-inline'), and the `<style>` carries the script's nonce.
 * The JSON-LD is JSON.stringify with `< > &` (and U+2028/9) escaped as \uXXXX, so a review body with
 * `</script>` stays inert even if the DOM is serialized (prerender caches, outerHTML).
 */
export const WIDGET_JS: string = readFileSync(new URL('./widget.js', import.meta.url), 'utf8')

/** Strong ETag of the served bytes: `"sha256-<base64url>"`. */
export const WIDGET_ETAG = `"sha256-${createHash('sha256').update(WIDGET_JS).digest('base64url')}"`
