import { defineCarrier } from './define.js'
import { s10, sevenDr } from './formats.js'

/**
 * 日本郵便. Domestic ゆうパック: 12-digit 7DR. ゆうパケット is assumed to use the same 12-digit 7DR number
 * (not confirmed by a source). International items: UPU S10 ending in JP (E… = EMS). Domestic 書留
 * numbers are left out: sources disagree on 10 vs 11 digits and none gives a check digit.
 */
export const japanPost = defineCarrier({
  code: 'japan_post',
  name: { ja: '日本郵便', en: 'Japan Post' },
  services: [
    { code: 'yupack', name: { ja: 'ゆうパック', en: 'Yu-Pack' } },
    { code: 'yupacket', name: { ja: 'ゆうパケット', en: 'Yu-Packet' } },
    { code: 'ems', name: { ja: '国際スピード郵便（EMS）', en: 'EMS' } },
    { code: 'international', name: { ja: '国際郵便（書留・小包・小形包装物）', en: 'International registered mail / parcel' } },
  ],
  // ゆうパック since 2024-10-01: 20–21 abolished, 19–21 is the last slot (japan.md §1, logi-biz / netshop.impress).
  timeSlots: ['am', '12-14', '14-16', '16-18', '18-20', '19-21'],
  formats: [
    sevenDr(['yupack', 'yupacket']),
    s10('JP', ['ems'], 'E'),
    s10('JP', ['international']),
  ],
  statusWords: {
    // 2009 tracking pages (packtrack fixtures).
    '引受': 'picked_up',
    '通過': 'in_transit',
    '到着': 'in_transit',
    'お届け先にお届け済み': 'delivered',
    'ご不在のため持ち戻り': 'delivery_failed',
    // Redelivery request accepted after a failed attempt: waiting at the depot (see yamato.ts).
    '配達希望受付': 'held_at_depot',
    // Current wording (secondary sources): 引受 → 到着 → 持ち出し中 → お届け先にお届け済み.
    '持ち出し中': 'out_for_delivery',
    '保管中': 'held_at_depot',
    '調査中': 'exception',
    '差出人に返送': 'returned_to_sender',
    // JP Express (ペリカン便) merged into ゆうパック in 2010; its words are kept so old events still map.
    // 「受取が完了」 is read as the carrier taking the parcel, since delivery has its own sentence.
    '受取が完了いたしました。': 'picked_up',
    '配達完了いたしました。': 'delivered',
  },
  url: (n) => `https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=${n}&locale=ja`,
})
