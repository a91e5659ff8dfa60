import { defineCarrier } from './define.js'
import { sevenDr } from './formats.js'

/** ヤマト運輸. 宅急便, コンパクト and ネコポス all carry the same 12-digit 7DR number. */
export const yamato = defineCarrier({
  code: 'yamato',
  name: { ja: 'ヤマト運輸', en: 'Yamato Transport' },
  services: [
    { code: 'takkyubin', name: { ja: '宅急便', en: 'TA-Q-BIN' } },
    { code: 'cool', name: { ja: 'クール宅急便', en: 'Cool TA-Q-BIN' } },
    { code: 'compact', name: { ja: '宅急便コンパクト', en: 'TA-Q-BIN Compact' } },
    { code: 'nekopos', name: { ja: 'ネコポス', en: 'Nekopos' } },
  ],
  // Since 2017-06-19: 12–14 dropped, 20–21 replaced by 19–21 (japan.md §1, sankeibiz / netshop.impress).
  timeSlots: ['am', '14-16', '16-18', '18-20', '19-21'],
  formats: [sevenDr()],
  statusWords: {
    // Words on the 2009 tracking pages (packtrack fixtures, 荷物状況 column).
    '荷物受付': 'picked_up',
    '発送': 'in_transit',
    '作業店通過': 'in_transit',
    '配達店到着': 'in_transit',
    '配達予定': 'in_transit',
    '配達中': 'out_for_delivery',
    '配達完了': 'delivered',
    '持戻（ご不在）': 'delivery_failed',
    '配達日・時間帯指定（保管中）': 'held_at_depot',
    // A redelivery request follows a failed attempt that was already reported; the parcel now waits at
    // the depot for the chosen slot, so "held" (reporting a second failure would re-send "we missed you").
    '依頼受付（再配達）': 'held_at_depot',
    '依頼受付（店頭受取）': 'held_at_depot',
    '調査中': 'exception',
    // メール便/ネコポス go into the mailbox: posting is the delivery.
    '投函予定': 'in_transit',
    '投函完了': 'delivered',
    // Current wording from secondary sources (blogs), not confirmed on the live page.
    '発送済み': 'in_transit',
    '輸送中': 'in_transit',
    '配達営業所に到着': 'in_transit',
    '持ち出し中': 'out_for_delivery',
    '持戻': 'delivery_failed',
    '保管中': 'held_at_depot',
    '返品': 'returned_to_sender',
  },
  url: (n) => `https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=${n}`,
})
