/**
 * Shipping-label import files for the carriers' own label software: Yamato B2クラウド and Sagawa
 * e飛伝 (Ⅲ, and Ⅱ's older layout). Pure: parcels in, CP932 bytes and warnings out; no I/O.
 * Each file's header comment lists its sources and what is unverified.
 */
import { sagawaEhidenCsv, SAGAWA_EHIDEN_COLUMNS, SAGAWA_EHIDEN2_COLUMNS, type SagawaEhidenOptions } from './sagawa-ehiden.js'
import type { LabelCsv, LabelParcel } from './types.js'
import { yamatoB2Csv, YAMATO_B2_COLUMNS, type YamatoB2Options } from './yamato-b2.js'

export type { LabelCsv, LabelParcel, LabelTemperature, LabelTimeSlot, LabelWarning, LabelWarningCode } from './types.js'
export {
  yamatoB2Csv, YAMATO_B2_COLUMNS, YAMATO_B2_COOL, YAMATO_B2_INVOICE_TYPE, YAMATO_B2_LIMITS, YAMATO_B2_TIME_SLOTS,
  type YamatoB2Options,
} from './yamato-b2.js'
export {
  sagawaEhidenCsv, SAGAWA_COD_PAYMENT, SAGAWA_COOL, SAGAWA_EHIDEN_COLUMNS, SAGAWA_EHIDEN_LIMITS, SAGAWA_EHIDEN2_COLUMNS,
  SAGAWA_EVENING_18_21, SAGAWA_SEAL_DELIVERY_DATE, SAGAWA_TIME_SLOTS, type SagawaEhidenOptions, type SagawaLayout,
} from './sagawa-ehiden.js'

export interface LabelFormat<O> {
  carrier: 'yamato' | 'sagawa'
  /** What the user picks in the carrier's software to import the file. */
  title: string
  /** Windows-31J is the IANA name of CP932, the encoding written. */
  contentType: string
  /** Download name for a batch shipped on `shipDate` ('YYYY-MM-DD'). */
  filename: (shipDate: string) => string
  columns: readonly string[]
  build: (parcels: readonly LabelParcel[], opts?: O) => LabelCsv
}

const CONTENT_TYPE = 'text/csv; charset=Windows-31J'
const day = (d: string): string => d.replace(/-/g, '')

/** Every label format by id, for the export endpoint and docs. */
export const LABEL_FORMATS: {
  'yamato-b2': LabelFormat<YamatoB2Options>
  'sagawa-ehiden': LabelFormat<SagawaEhidenOptions>
  'sagawa-ehiden2': LabelFormat<SagawaEhidenOptions>
} = {
  'yamato-b2': {
    carrier: 'yamato', title: 'ヤマト運輸 B2クラウド 外部データから発行（基本レイアウト、取込開始行 2）', contentType: CONTENT_TYPE,
    filename: (d) => `yamato-b2-${day(d)}.csv`, columns: YAMATO_B2_COLUMNS, build: yamatoB2Csv,
  },
  'sagawa-ehiden': {
    carrier: 'sagawa', title: '佐川急便 e飛伝Ⅲ 標準_飛脚宅急便_CSV_ヘッダ有り', contentType: CONTENT_TYPE,
    filename: (d) => `sagawa-ehiden3-${day(d)}.csv`, columns: SAGAWA_EHIDEN_COLUMNS,
    build: (parcels, opts) => sagawaEhidenCsv(parcels, { ...opts, layout: 'ehiden3' }),
  },
  'sagawa-ehiden2': {
    carrier: 'sagawa', title: '佐川急便 e飛伝Ⅱ 標準パターン', contentType: CONTENT_TYPE,
    filename: (d) => `sagawa-ehiden2-${day(d)}.csv`, columns: SAGAWA_EHIDEN2_COLUMNS,
    build: (parcels, opts) => sagawaEhidenCsv(parcels, { ...opts, layout: 'ehiden2' }),
  },
}
