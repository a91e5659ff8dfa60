import type { ShipmentStatus } from '../../modules/tracking/status.js'

export type Lang = 'ja' | 'en'

/**
 * Everything the tracking page shows, already resolved: the page renderer is pure and never touches
 * the database. Strings here may be hostile (customer names, product titles, carrier text): the
 * renderer escapes every one of them.
 */
export interface TrackingPageView {
  lang: Lang
  /** IANA zone all dates are shown in (Asia/Tokyo by default). */
  timeZone: string
  /** Link to the same page in the other language (e.g. `?lang=en`). */
  switchLangHref: string
  brand: {
    name: string
    logoUrl: string | null
    /** CSS colours, validated by the brand settings before they reach here (#rgb / #rrggbb). */
    primaryColor: string
    accentColor: string
    /** A CSS font-family list, validated; null = the page's system font stack. */
    fontFamily: string | null
    support: { email: string | null; url: string | null; phone: string | null; hours: string | null }
  }
  order: {
    number: string
    placedAt: string // ISO instant
    status: 'placed' | 'confirmed' | 'allocated' | 'partially_shipped' | 'shipped' | 'delivered' | 'completed' | 'cancelled'
    shipTo: { name: string | null; postalCode: string | null; region: string | null; city: string | null } | null
  }
  shipments: TrackingShipmentView[]
  /** Lines not yet in any shipment ("preparing"). */
  unshippedLines: TrackingLineView[]
  /** CTA blocks; each href is already a tracked `/l/:id` redirect. */
  ctas: TrackingCtaView[]
}

export interface TrackingShipmentView {
  /** 1-based position and count, for "荷物 1/2". */
  index: number
  count: number
  carrierName: string // localised display name, e.g. ヤマト運輸 / Yamato Transport
  serviceName: string | null // e.g. 宅急便コンパクト
  trackingNumber: string | null // formatted for display, e.g. 4444-1375-8703
  /** The carrier's public tracking page, or null when there is none. */
  carrierUrl: string | null
  /** null = not yet handed to the carrier. */
  status: ShipmentStatus | null
  statusAt: string | null // ISO instant
  /** Estimated delivery date as YYYY-MM-DD in the tenant zone, with an optional window. */
  estimate: { date: string; earliest: string | null; latest: string | null; late: boolean; trendingLate: boolean } | null
  deliveredAt: string | null // ISO instant
  timeSlotLabel: string | null // already localised, e.g. 14時〜16時
  options: {
    /** 置き配 place, e.g. 玄関前; null = none. */
    leaveAt: string | null
    /** コンビニ/営業所受取: name of the pickup point; null = home delivery. */
    pickupPoint: string | null
    /** 代金引換 amount in minor units of `currency`; null = not COD. */
    codAmount: number | null
    currency: string
  }
  lines: TrackingLineView[]
  /** Newest first. `rawText` is the carrier's own words, shown beside the normalised status. */
  events: Array<{ status: ShipmentStatus; rawText: string | null; location: string | null; occurredAt: string }>
}

export interface TrackingLineView {
  title: string
  variantTitle: string | null
  quantity: number
  imageUrl: string | null
}

export interface TrackingCtaView {
  kind: 'review' | 'reorder' | 'line_friend' | 'content' | 'recommendation' | 'custom'
  title: string
  body: string | null
  /** Label of the button/link. */
  label: string
  href: string
  imageUrl: string | null
}
