/** Fixed words the default templates and the LINE Flex builder use, per locale. */
import type { Locale } from '../types.js'

export interface Labels {
  orderNumber: string
  orderDate: string
  carrier: string
  trackingNumber: string
  estimatedDelivery: string
  timeSlot: string
  returnNumber: string
  refundAmount: string
  refundReason: string
  total: string
  orderItems: string
  shipmentItems: string
  shipmentDetails: string
  orderDetails: string
  /** LINE button / email button labels (LINE allows 20 characters). */
  trackParcel: string
  viewOrder: string
  learnMore: string
  /** Item lists of the flow messages. */
  purchasedItems: string
  lastOrderItems: string
  recommendedItems: string
  couponCode: string
  couponDetails: string
  couponExpiry: string
  /** The coupon's expiry line under the code. */
  validUntil: (date: string) => string
  /** Captions of the NPS scale's ends, with their number. */
  npsLow: string
  npsHigh: string
  /** Captions of the CSAT scale's ends (1–5). */
  csatLow: string
  csatHigh: string
  writeReview: string
  reorder: string
  visitShop: string
  /** "and 3 more items" after a cut list. */
  moreItems: (count: number) => string
  quantity: (n: number | string) => string
  /** Return messages: the details table, its rows, and the words for the return's fields. */
  returnDetails: string
  returnMethod: string
  pickupDate: string
  pickupSlot: string
  returnShipping: string
  resolution: string
  storeCreditCode: string
  storeCreditAmount: string
  returnMethods: Record<'pickup' | 'dropoff' | 'keep', string>
  returnShippingPaidBy: Record<'brand' | 'customer', string>
  resolutions: Record<'exchange' | 'store_credit' | 'refund', string>
  /** Button to the customer's return status page. */
  returnStatus: string
}

export const LABELS: Record<Locale, Labels> = {
  ja: {
    orderNumber: '注文番号',
    orderDate: 'ご注文日',
    carrier: '配送業者',
    trackingNumber: '追跡番号',
    estimatedDelivery: 'お届け予定日',
    timeSlot: '配達時間帯',
    returnNumber: '返品番号',
    refundAmount: '返金額',
    refundReason: '返金理由',
    total: '合計（税込）',
    orderItems: 'ご注文内容',
    shipmentItems: 'お届けする商品',
    shipmentDetails: '配送情報',
    orderDetails: 'ご注文情報',
    trackParcel: '配送状況を確認する',
    viewOrder: 'ご注文状況を確認する',
    learnMore: '詳しく見る',
    purchasedItems: 'ご購入いただいた商品',
    lastOrderItems: '前回ご購入いただいた商品',
    recommendedItems: 'おすすめの商品',
    couponCode: 'クーポンコード',
    couponDetails: '特典内容',
    couponExpiry: '有効期限',
    validUntil: (date) => `有効期限：${date}`,
    npsLow: '0：まったくすすめない',
    npsHigh: '10：ぜひすすめたい',
    csatLow: '1：不満',
    csatHigh: '5：満足',
    writeReview: 'レビューを書く',
    reorder: 'もう一度購入する',
    visitShop: 'ショップを見る',
    moreItems: (count) => `ほか${count}点`,
    quantity: (n) => `数量 ${n}`,
    returnDetails: '返品情報',
    returnMethod: '返送方法',
    pickupDate: '集荷日',
    pickupSlot: '時間帯',
    returnShipping: '返送料',
    resolution: 'ご対応内容',
    storeCreditCode: 'ストアクレジットコード',
    storeCreditAmount: 'ストアクレジット額',
    returnMethods: { pickup: '集荷', dropoff: 'コンビニ・営業所への持ち込み', keep: 'ご返送不要' },
    returnShippingPaidBy: { brand: '当店負担', customer: 'お客様負担' },
    resolutions: { exchange: '交換', store_credit: 'ストアクレジット', refund: '返金' },
    returnStatus: '返品状況を確認する',
  },
  en: {
    orderNumber: 'Order number',
    orderDate: 'Order date',
    carrier: 'Carrier',
    trackingNumber: 'Tracking number',
    estimatedDelivery: 'Estimated delivery',
    timeSlot: 'Delivery time',
    returnNumber: 'Return number',
    refundAmount: 'Refund amount',
    refundReason: 'Reason',
    total: 'Total',
    orderItems: 'Your order',
    shipmentItems: 'In this parcel',
    shipmentDetails: 'Delivery details',
    orderDetails: 'Order details',
    trackParcel: 'Track your parcel',
    viewOrder: 'View your order',
    learnMore: 'Learn more',
    purchasedItems: 'What you bought',
    lastOrderItems: 'From your last order',
    recommendedItems: 'Picked for you',
    couponCode: 'Coupon code',
    couponDetails: 'Offer',
    couponExpiry: 'Valid until',
    validUntil: (date) => `Valid until ${date}`,
    npsLow: '0 = Not at all likely',
    npsHigh: '10 = Extremely likely',
    csatLow: '1 = Very dissatisfied',
    csatHigh: '5 = Very satisfied',
    writeReview: 'Write a review',
    reorder: 'Reorder now',
    visitShop: 'Visit the shop',
    moreItems: (count) => `and ${count} more`,
    quantity: (n) => `Qty ${n}`,
    returnDetails: 'Return details',
    returnMethod: 'How to return',
    pickupDate: 'Pickup date',
    pickupSlot: 'Pickup time',
    returnShipping: 'Return shipping',
    resolution: 'Resolution',
    storeCreditCode: 'Store credit code',
    storeCreditAmount: 'Store credit',
    returnMethods: { pickup: 'Carrier pickup', dropoff: 'Drop-off at a carrier counter or convenience store', keep: 'No need to send it back' },
    returnShippingPaidBy: { brand: 'Paid by us', customer: 'Paid by you' },
    resolutions: { exchange: 'Exchange', store_credit: 'Store credit', refund: 'Refund' },
    returnStatus: 'View your return',
  },
}
