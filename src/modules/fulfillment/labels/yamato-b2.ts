/**
 * Yamato B2クラウド「外部データから発行」: the 95-column basic layout (基本レイアウト).
 *
 * Sources (read 2025; none is a page of Yamato's that this workplace could open directly):
 * - Column order, names, per-column widths and codes: Yamato's Excel template header, as copied
 *   cell by cell into public code that cites
 *   https://www.kuronekoyamato.co.jp/newb2/help/manual/manual_sosa/16_exchange/exchange_01.html
 *   (several independent repositories carry the same 95 names in the same order).
 * - Column positions 2, 5–7, 9, 11–13, 16, 20, 22–25, 28, 34–35, 40, 42 cross-checked against
 *   Yamato's PDF "B2 送り状発行データレイアウト 入出力用" (bmypage.kuronekoyamato.co.jp/bmypage/pdf/new_exchange1.pdf)
 *   as used by github.com/labocho/yamato_b2_cloud, and the older copy at https://paperzz.com/doc/5980562
 *   (送り状種別 0/2/3/4/5/6/7/8/9, クール区分 0/1/2, 伝票番号 12 digits, dates YYYY/MM/DD).
 * - File: Shift_JIS, CRLF, first row = column names (https://manual.aiship.jp/csvレイアウト（ヤマトb2形式）);
 *   B2 is told to start at row 2 (取込み開始行, http://www.sakura-densan.com/customer_pro_manual/b2.htm).
 * - Practice: コレクト amount = order total + COD fee, order number in 記事
 *   (https://support.flagship.cc/hc/ja/articles/20012051036569).
 * - 配達時間帯 1921 (19–21): in the template header copy and in labocho/yamato_b2_cloud (2019); the
 *   2017 change dropped 1214 and replaced 2021 (https://netshop.impress.co.jp/node/4123).
 *
 * UNVERIFIED:
 * - お客様管理番号 width: the old PDF says 20 half-width, the template copy says 50. We refuse > 20,
 *   which both accept.
 * - Newer exports rename columns 43–47 (注文時カード払い…) and 56 (収納代行決済ＱＲコード印刷) and
 *   append 96 連携管理番号, 97 通知メールアドレス. We write the 95 columns; whether the current
 *   import insists on 97 is not confirmed.
 * - Whether B2 enforces the 住所 sub-limits (都道府県 4 / 市区郡町村 12 / 町・番地 16 全角) on import;
 *   we only enforce the 32-全角 total.
 * - 内消費税額等 rounding (we round down) and rate (10% unless `codTaxRatePercent` says otherwise).
 * - 敬称 is documented as DM便-only, so it stays blank (B2 prints its default for 宅急便).
 * Left blank on purpose: お届け先名(ｶﾅ)/ご依頼主名(ｶﾅ) (Kando has no kana), 品名コード, 荷扱い,
 * 止置き/営業所コード, 発行枚数, 個数口表示フラグ, クロネコwebコレクト, 収納代行, 検索キー, 投函メール.
 */
import {
  checkCodAmount, checkParcelId, displayWidth, fillFields, fitField, formatPhone, formatPostalCode, includedTax, itemLines, normalizeText,
  parseIsoDate, rowFor, sanitizeCp932, spreadSegments, warnOverflow, encodeCsv, type FieldContext,
} from './jp-text.js'
import type { LabelCsv, LabelParcel, LabelTimeSlot, LabelWarning } from './types.js'

/** The 95 columns in import order, named as in Yamato's template (both 予備 columns included). */
export const YAMATO_B2_COLUMNS: readonly string[] = Object.freeze([
  'お客様管理番号', '送り状種類', 'クール区分', '伝票番号', '出荷予定日', 'お届け予定日', '配達時間帯',
  'お届け先コード', 'お届け先電話番号', 'お届け先電話番号枝番', 'お届け先郵便番号', 'お届け先住所',
  'お届け先アパートマンション名', 'お届け先会社・部門１', 'お届け先会社・部門２', 'お届け先名', 'お届け先名(ｶﾅ)',
  '敬称', 'ご依頼主コード', 'ご依頼主電話番号', 'ご依頼主電話番号枝番', 'ご依頼主郵便番号', 'ご依頼主住所',
  'ご依頼主アパートマンション', 'ご依頼主名', 'ご依頼主名(ｶﾅ)', '品名コード１', '品名１', '品名コード２', '品名２',
  '荷扱い１', '荷扱い２', '記事', 'ｺﾚｸﾄ代金引換額（税込)', '内消費税額等', '止置き', '営業所コード', '発行枚数',
  '個数口表示フラグ', '請求先顧客コード', '請求先分類コード', '運賃管理番号',
  'クロネコwebコレクトデータ登録', 'クロネコwebコレクト加盟店番号', 'クロネコwebコレクト申込受付番号１',
  'クロネコwebコレクト申込受付番号２', 'クロネコwebコレクト申込受付番号３',
  'お届け予定ｅメール利用区分', 'お届け予定ｅメールe-mailアドレス', '入力機種', 'お届け予定ｅメールメッセージ',
  'お届け完了ｅメール利用区分', 'お届け完了ｅメールe-mailアドレス', 'お届け完了ｅメールメッセージ',
  'クロネコ収納代行利用区分', '予備', '収納代行請求金額(税込)', '収納代行内消費税額等', '収納代行請求先郵便番号',
  '収納代行請求先住所', '収納代行請求先住所（アパートマンション名）', '収納代行請求先会社・部門名１',
  '収納代行請求先会社・部門名２', '収納代行請求先名(漢字)', '収納代行請求先名(カナ)', '収納代行問合せ先名(漢字)',
  '収納代行問合せ先郵便番号', '収納代行問合せ先住所', '収納代行問合せ先住所（アパートマンション名）',
  '収納代行問合せ先電話番号', '収納代行管理番号', '収納代行品名', '収納代行備考', '複数口くくりキー',
  '検索キータイトル1', '検索キー1', '検索キータイトル2', '検索キー2', '検索キータイトル3', '検索キー3',
  '検索キータイトル4', '検索キー4', '検索キータイトル5', '検索キー5', '予備', '予備',
  '投函予定メール利用区分', '投函予定メールe-mailアドレス', '投函予定メールメッセージ',
  '投函完了メール（お届け先宛）利用区分', '投函完了メール（お届け先宛）e-mailアドレス', '投函完了メール（お届け先宛）メールメッセージ',
  '投函完了メール（ご依頼主宛）利用区分', '投函完了メール（ご依頼主宛）e-mailアドレス', '投函完了メール（ご依頼主宛）メールメッセージ',
])

/** 送り状種類 codes Kando writes (the layout also has 3 DM便, 4 タイム, 5 着払, 7 ネコポス, 8/9 コンパクト). */
export const YAMATO_B2_INVOICE_TYPE = { prepaid: '0', collect: '2' } as const

/** クール区分: 0 通常, 1 クール冷凍, 2 クール冷蔵. */
export const YAMATO_B2_COOL: Record<LabelParcel['temperature'], string> = { ambient: '0', frozen: '1', cool: '2' }

/** 配達時間帯 codes. 12–14 has no code: Yamato dropped that slot for shipments from 19 June 2017. */
export const YAMATO_B2_TIME_SLOTS: Record<LabelTimeSlot, string | null> = {
  morning: '0812', '12-14': null, '14-16': '1416', '16-18': '1618', '18-20': '1820', '19-21': '1921',
}

/** Field widths in half-width units (全角 counts 2), from the template. */
export const YAMATO_B2_LIMITS = {
  customerManagementNumber: 20, phone: 15, address: 64, building: 32, company: 50, name: 32, senderCode: 20,
  itemName: 50, article: 44, collectMax: 300_000, email: 60, plannedMessage: 148, completedMessage: 318,
} as const

export interface YamatoB2Options {
  /** Write the column-name row first (default true); B2's 取込み開始行 is then 2. */
  header?: boolean
  /** ご請求先顧客コード from the B2 contract (10–12 digits). B2 requires it for 発払 and コレクト. */
  billingCustomerCode?: string | null
  /** 請求先分類コード (3 digits), when the contract has several. */
  billingClassCode?: string | null
  /** 運賃管理番号 (2 digits, usually "01"). B2 requires it. */
  freightManagementNumber?: string | null
  /** Consumption tax rate used to compute 内消費税額等 from the コレクト amount (default 10). */
  codTaxRatePercent?: number
  /**
   * Turns on B2's own お届け予定 / お届け完了 e-mails for recipients with an address (off by default:
   * Kando sends its own). Messages are written in full-width.
   */
  deliveryEmail?: { plannedMessage: string; completedMessage: string } | null
}

function checkOptions(o: YamatoB2Options): void {
  if (o.billingCustomerCode && !/^\d{10,12}$/.test(o.billingCustomerCode)) throw new RangeError('billingCustomerCode must be 10–12 digits')
  if (o.billingClassCode && !/^\d{3}$/.test(o.billingClassCode)) throw new RangeError('billingClassCode must be 3 digits')
  if (o.freightManagementNumber && !/^\d{2}$/.test(o.freightManagementNumber)) throw new RangeError('freightManagementNumber must be 2 digits')
}

function required(p: LabelParcel, field: string, value: string): string {
  if (!normalizeText(value)) throw new RangeError(`parcel ${p.parcelId}: ${field} is required`)
  return value
}

const slashDate = (d: { y: string; m: string; d: string }): string => `${d.y}/${d.m}/${d.d}`

function b2Row(p: LabelParcel, o: YamatoB2Options, ctx: FieldContext): string[] {
  const { row, set } = rowFor(YAMATO_B2_COLUMNS)
  const L = YAMATO_B2_LIMITS
  set('お客様管理番号', checkParcelId(p.parcelId, 'お客様管理番号', L.customerManagementNumber))
  const cod = p.codAmount == null ? null : checkCodAmount(p.parcelId, p.codAmount, L.collectMax)
  set('送り状種類', cod === null ? YAMATO_B2_INVOICE_TYPE.prepaid : YAMATO_B2_INVOICE_TYPE.collect)
  set('クール区分', YAMATO_B2_COOL[p.temperature])
  if (p.trackingNumber) {
    if (/^\d{12}$/.test(p.trackingNumber)) set('伝票番号', p.trackingNumber)
    else ctx.warnings.push({ parcelId: p.parcelId, field: '伝票番号', code: 'ignored', message: `"${p.trackingNumber}" is not a 12-digit Yamato number; left blank for B2 to issue one` })
  }
  set('出荷予定日', slashDate(parseIsoDate(p.parcelId, 'shipDate', p.shipDate)))
  if (p.deliveryDate) set('お届け予定日', slashDate(parseIsoDate(p.parcelId, 'deliveryDate', p.deliveryDate)))
  if (p.timeSlot) {
    const code = YAMATO_B2_TIME_SLOTS[p.timeSlot]
    if (code) set('配達時間帯', code)
    else ctx.warnings.push({ parcelId: p.parcelId, field: '配達時間帯', code: 'time-slot-unavailable', message: `Yamato has no ${p.timeSlot} slot (abolished June 2017); left unspecified` })
  }

  const r = p.recipient
  set('お届け先電話番号', formatPhone(ctx, 'お届け先電話番号', required(p, 'recipient.phone', r.phone), L.phone))
  set('お届け先郵便番号', formatPostalCode(ctx, 'お届け先郵便番号', required(p, 'recipient.postalCode', r.postalCode)))
  const street = sanitizeCp932(ctx, 'お届け先住所', normalizeText(`${r.prefecture}${r.city}${required(p, 'recipient.address1', r.address1)}`))
  const building = sanitizeCp932(ctx, 'お届け先アパートマンション名', normalizeText(r.address2))
  // A building never moves up into 住所: B2 parses 住所 into 都道府県 / 市区郡町村 / 町・番地. Only a street
  // longer than 住所 runs on into the building field.
  let addr: { parts: string[]; overflow: string }
  if (displayWidth(street) <= L.address) {
    const b = fillFields(building, [L.building])
    addr = { parts: [street, b.parts[0]!], overflow: b.overflow }
  } else {
    addr = spreadSegments([street, building], [L.address, L.building], ' ')
  }
  warnOverflow(ctx, 'お届け先アパートマンション名', addr.overflow, L.building)
  set('お届け先住所', addr.parts[0]!)
  set('お届け先アパートマンション名', addr.parts[1]!)
  if (r.company) {
    const company = spreadSegments([sanitizeCp932(ctx, 'お届け先会社・部門１', normalizeText(r.company))], [L.company, L.company], ' ')
    warnOverflow(ctx, 'お届け先会社・部門２', company.overflow, L.company)
    set('お届け先会社・部門１', company.parts[0]!)
    set('お届け先会社・部門２', company.parts[1]!)
  }
  set('お届け先名', fitField(ctx, 'お届け先名', required(p, 'recipient.name', r.name), L.name))

  const s = p.sender
  if (s.code) set('ご依頼主コード', fitField(ctx, 'ご依頼主コード', s.code, L.senderCode))
  set('ご依頼主電話番号', formatPhone(ctx, 'ご依頼主電話番号', required(p, 'sender.phone', s.phone), L.phone))
  set('ご依頼主郵便番号', formatPostalCode(ctx, 'ご依頼主郵便番号', required(p, 'sender.postalCode', s.postalCode)))
  const senderAddr = spreadSegments([sanitizeCp932(ctx, 'ご依頼主住所', normalizeText(required(p, 'sender.address', s.address)))], [L.address, L.building], ' ')
  warnOverflow(ctx, 'ご依頼主アパートマンション', senderAddr.overflow, L.building)
  set('ご依頼主住所', senderAddr.parts[0]!)
  set('ご依頼主アパートマンション', senderAddr.parts[1]!)
  set('ご依頼主名', fitField(ctx, 'ご依頼主名', required(p, 'sender.name', s.name), L.name))

  if (p.items.length === 0) throw new RangeError(`parcel ${p.parcelId}: items is empty; B2 requires 品名１`)
  const [item1, item2] = itemLines(ctx, '品名１', p.items, 2, L.itemName)
  set('品名１', item1!)
  set('品名２', item2!)
  set('記事', fitField(ctx, '記事', p.orderNumber, L.article))
  if (cod !== null) {
    set('ｺﾚｸﾄ代金引換額（税込)', String(cod))
    set('内消費税額等', String(includedTax(cod, o.codTaxRatePercent ?? 10)))
  }
  set('請求先顧客コード', o.billingCustomerCode ?? '')
  set('請求先分類コード', o.billingClassCode ?? '')
  set('運賃管理番号', o.freightManagementNumber ?? '')

  const email = r.email?.trim()
  if (o.deliveryEmail && email) {
    if (/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(email) && email.length <= L.email) {
      set('お届け予定ｅメール利用区分', '1')
      set('お届け予定ｅメールe-mailアドレス', email)
      set('入力機種', '1') // 1 PC, 2 携帯電話
      set('お届け予定ｅメールメッセージ', fitField(ctx, 'お届け予定ｅメールメッセージ', o.deliveryEmail.plannedMessage, L.plannedMessage, { fullWidth: true }))
      set('お届け完了ｅメール利用区分', '1')
      set('お届け完了ｅメールe-mailアドレス', email)
      set('お届け完了ｅメールメッセージ', fitField(ctx, 'お届け完了ｅメールメッセージ', o.deliveryEmail.completedMessage, L.completedMessage, { fullWidth: true }))
    } else {
      ctx.warnings.push({ parcelId: p.parcelId, field: 'お届け予定ｅメールe-mailアドレス', code: 'ignored', message: `"${email}" is not a half-width address of at most ${L.email} characters; no B2 e-mail` })
    }
  }
  return row
}

/**
 * The B2クラウド import file for `parcels`: CP932, CRLF, 95 columns, one row a parcel.
 * Refuses (RangeError) what would make a wrong label: a parcel id over 20 characters, a bad date,
 * a コレクト amount outside 1–300,000, a missing name/phone/postcode/address/item. Fixes it can
 * make safely (cut to width, 〓 for characters CP932 lacks) are listed in `warnings`.
 * @example
 * const { csv, warnings } = yamatoB2Csv(parcels, { billingCustomerCode: '0312345678', freightManagementNumber: '01' })
 */
export function yamatoB2Csv(parcels: readonly LabelParcel[], opts: YamatoB2Options = {}): LabelCsv {
  checkOptions(opts)
  const warnings: LabelWarning[] = []
  if (!opts.billingCustomerCode) {
    warnings.push({ parcelId: null, field: '請求先顧客コード', code: 'missing-contract-code', message: 'not set: B2 asks for it on import (発払 and コレクト need it)' })
  }
  if (!opts.freightManagementNumber) {
    warnings.push({ parcelId: null, field: '運賃管理番号', code: 'missing-contract-code', message: 'not set: B2 asks for it on import (usually "01")' })
  }
  const rows: string[][] = opts.header === false ? [] : [[...YAMATO_B2_COLUMNS]]
  for (const p of parcels) rows.push(b2Row(p, opts, { parcelId: p.parcelId, warnings }))
  return { csv: encodeCsv(rows), warnings }
}

