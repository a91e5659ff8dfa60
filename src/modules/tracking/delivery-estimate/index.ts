/** Estimated delivery dates and lateness for shipments; the only entry point other code should import. */
export { estimateDelivery, type Estimate, type EstimateInput } from './estimate.js'
export { assessLateness, type Lateness, type LatenessInput, type LatenessThresholds, type WatchReason } from './late.js'
export {
  DEFAULT_LEAD_TIMES,
  withLeadTimeOverrides,
  findServiceRule,
  carrierCalendar,
  type CarrierCode,
  type LeadTimeTable,
  type LeadTimeOverrides,
  type RegionMatrix,
  type PrefectureLanes,
  type ServiceRule,
} from './lead-times.js'
export { REGIONS, REGION_EN, PREFECTURE_REGION, regionOf, type Region } from './regions.js'
export { REMOTE_AREAS, remoteAreaFor, relayExtraDays, type RemoteArea } from './remote.js'
export {
  isDeliveryDay,
  isJapaneseHoliday,
  holidayName,
  nextDeliveryDay,
  addTransitDays,
  centreShipDate,
  localDateTime,
  type DeliveryCalendar,
  type CentreCalendar,
} from './calendar.js'
