export { TrackingService, shipmentNotFound, type Shipment, type ShipmentEvent } from './service.js'
export { ShipmentInput, TrackingEventInput, TrackingSettingsInput, type TrackingSettings, type CtaInput } from './schemas.js'
export { SHIPMENT_STATUSES, TIME_SLOTS, timeSlotLabel, type ShipmentStatus, type TimeSlot } from './status.js'
export { importTrackingCsv, decodeCarrierFile, type ImportResult } from './import.js'
