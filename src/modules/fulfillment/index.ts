export { FulfillmentService, japanClock, type Allocation, type LabelFormatId, type OrderFulfilment, type Parcel, type ParcelLine, type ParcelStatus } from './service.js'
export { FulfillmentSettingsInput, ParcelShippedInput, WaveInput, type FulfillmentSettings } from './schemas.js'
export { fulfillmentHttp } from './http.js'
