/** Requested delivery window, in the customer's words; each carrier file maps it to its own code. */
export type LabelTimeSlot = 'morning' | '12-14' | '14-16' | '16-18' | '18-20' | '19-21'

export type LabelTemperature = 'ambient' | 'cool' | 'frozen'

/** One parcel to print a label for: what Kando knows, before any carrier's field rules. */
export interface LabelParcel {
  /** Kando's id, printed in お客様管理番号 (B2, ≤ 20) / お客様管理番号・ナンバー (e飛伝, ≤ 16); longer is refused. */
  parcelId: string
  /** The shop's order number: B2 記事, e飛伝 the last 品名 line. */
  orderNumber: string
  /** 'YYYY-MM-DD' */
  shipDate: string
  /** Requested お届け予定日, 'YYYY-MM-DD'. */
  deliveryDate?: string | null
  timeSlot?: LabelTimeSlot | null
  temperature: LabelTemperature
  /** Yen to collect, fee included. Makes B2 送り状種別 コレクト (2) and e飛伝 代引 (eコレクト). */
  codAmount?: number | null
  recipient: {
    name: string
    phone: string
    postalCode: string
    prefecture: string
    city: string
    address1: string
    address2?: string | null
    company?: string | null
    email?: string | null
  }
  /** The brand (ご依頼主 / 荷送人). `code` is the carrier's registered code for it (B2 ご依頼主コード, e飛伝 お客様コード). */
  sender: { name: string; phone: string; postalCode: string; address: string; code?: string | null }
  items: Array<{ name: string; quantity: number }>
  /** A number already issued by the carrier (B2 伝票番号, e飛伝Ⅲ お問い合せ送り状No.); usually empty. */
  trackingNumber?: string | null
}

export type LabelWarningCode =
  | 'unencodable-char' // not in CP932: replaced by 〓
  | 'extended-char' // in CP932 but outside JIS X 0208 (NEC/IBM extensions): the carrier may refuse or misprint it
  | 'truncated' // did not fit the field(s); the end was cut
  | 'invalid-phone'
  | 'invalid-postal-code'
  | 'time-slot-unavailable' // the carrier has no such slot: left blank
  | 'time-slot-widened' // mapped to a wider slot (Sagawa 5-slot scheme: 18–21)
  | 'missing-contract-code' // a contract code the carrier requires is not set (B2 請求先顧客コード, 運賃管理番号)
  | 'ignored' // input the layout has no column for

/** Something the export changed or could not honour; the file is still written. `parcelId` is null for file-wide notes. */
export interface LabelWarning {
  parcelId: string | null
  /** The layout's column name. */
  field: string
  code: LabelWarningCode
  message: string
}

/** A carrier import file: CP932 (Windows-31J) bytes with CRLF line ends, and what had to be changed to write it. */
export interface LabelCsv {
  csv: Buffer
  warnings: LabelWarning[]
}
