export { InventoryService, StockRaced, type ItemView, type LocationView, type StockEntry, type StockLevel, type SyncResult } from './service.js'
export { ItemInput, LocationInput, StockDeltaInput, StockSnapshotInput } from './schemas.js'
export { importStockCsv, type StockImportResult } from './import.js'
