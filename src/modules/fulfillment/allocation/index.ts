/**
 * Order allocation across fulfilment centres (分散出荷): the only entry point other modules use.
 * Pure: no database, no clock (callers inject "now"), no I/O.
 */
export { DEMO_LOCATIONS, distanceKm, type Capability, type Location } from './network.js'
export { DEFAULT_RATES, SIZE_BANDS, shippingCost, sizeBandOf, type RateTable, type SizeBand } from './rates.js'
export {
  DEFAULT_RULES,
  resolveRules,
  planCost,
  leadDays,
  shipDayOffset,
  type AllocationMode,
  type AllocationOrder,
  type AllocationRules,
  type Clock,
  type CostBreakdown,
  type OrderLine,
  type PlannedParcel,
  type Temperature,
} from './cost.js'
export { createAllocator, NODE_BUDGET, EXACT_SKUS, type Allocator, type AllocatorConfig, type AllocationDecision, type CandidatePlan, type StockView } from './solve.js'
export { allocateBatch, allocateSequential, decisionCost, type BatchOptions, type BatchResult } from './batch.js'
/** Dev/bench only: the same problem as a MIP in CPLEX LP format for the HiGHS solver. */
export { allocationMip, type MipInput } from './mip.js'
