import { defineCarrier } from './define.js'
import { sevenDr } from './formats.js'

/**
 * 佐川急便. Several secondary sources and code say Sagawa uses the same 12-digit 7DR number as Yamato;
 * no Sagawa primary document was found, but all 101 real Sagawa numbers in packtrack pass it.
 */
export const sagawa = defineCarrier({
  code: 'sagawa',
  name: { ja: '佐川急便', en: 'Sagawa Express' },
  services: [
    { code: 'hikyaku', name: { ja: '飛脚宅配便', en: 'Hikyaku Express' } },
    { code: 'cool', name: { ja: '飛脚クール便', en: 'Hikyaku Cool' } },
    { code: 'large', name: { ja: '飛脚ラージサイズ宅配便', en: 'Hikyaku Large Size' } },
  ],
  // e飛伝 slot codes (01 午前中, 12, 14, 16, 18, 19, 04 = 18–21; japan.md §1); which are still sold is unverified.
  timeSlots: ['am', '12-14', '14-16', '16-18', '18-20', '18-21', '19-21'],
  formats: [sevenDr()],
  statusWords: {
    // 2009 tracking pages (packtrack fixtures): latest status and detail sentences; ○○ is a store name.
    '配達終了': 'delivered',
    'お荷物をお預かり致しました。': 'picked_up',
    '○○を出発致しました。': 'in_transit',
    '○○から配達に出発致しました。': 'out_for_delivery',
    'ご不在でしたので、お預かりしております。': 'delivery_failed',
    '配達店へ持ち帰りました。': 'delivery_failed',
    '○○でお預かりしております。': 'held_at_depot',
    '配達は終了致しました。': 'delivered',
    // Generic current labels; Sagawa's present wording is not confirmed by any source we read.
    '集荷': 'picked_up',
    '輸送中': 'in_transit',
    '配達中': 'out_for_delivery',
    '配達完了': 'delivered',
  },
  url: (n) => `https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=${n}`,
})
