/**
 * Flow tables, all tenant-owned. A flow's versions are immutable once written; a run is one
 * customer's way through one version, and its row is also its timer (`wake_at`, indexed only
 * while the run waits), so a million waiting customers cost the sweep one index range, not a scan.
 */
export interface FlowsTable {
  id: string
  tenant_id: string
  name: string
  /** draft | active | paused | archived */
  status: string
  /** The version new customers enter; null until first activated. */
  active_version: number | null
  latest_version: number
  /** Built-in flow key (e.g. review_request) when made from one, else null. */
  builtin: string | null
  /** JSON: FlowSettings (smart sending window, attribution window). */
  settings: string
  created_at: string
  updated_at: string
}

export interface FlowVersionsTable {
  tenant_id: string
  flow_id: string
  version: number
  /** The flow document (JSON), as validated. */
  document: string
  created_at: string
}

export interface FlowRunsTable {
  id: string
  tenant_id: string
  flow_id: string
  version: number
  customer_id: string
  order_id: string | null
  /** waiting | running | paused | completed | exited | cancelled | failed */
  status: string
  step_id: string
  /** Steps done so far: every step writes log row (run, seq), so a step is never done twice. */
  seq: number
  /** Why it sleeps: time | event | defer | retry, or null when not sleeping at a step. */
  waiting_for: string | null
  /** The event type an event wait listens for. */
  wait_event: string | null
  /** When the run is due (set while waiting; the sweep's index). */
  wake_at: string | null
  /** The sweep that handed the run to a job; a redelivered older job finds another claim. */
  claim: string | null
  /** Split arm (or `holdout`) and when it was assigned. */
  arm: string | null
  /** Start of the attribution window: the split assignment or the last message sent. */
  attributed_at: string | null
  converted_at: string | null
  converted_order_id: string | null
  /** JSON: the trigger event (id, type, occurredAt, data) and what steps produced (coupon). */
  context: string
  exit_reason: string | null
  attempts: number
  last_error: string | null
  entered_at: string
  updated_at: string
  ended_at: string | null
}

/** One row per step a run took (or refused to take, and why). */
export interface FlowRunLogTable {
  tenant_id: string
  run_id: string
  seq: number
  flow_id: string
  version: number
  step_id: string
  /** entered | waited | resumed | timeout | branch | arm | sent | skipped | deferred | done | exited | completed | failed */
  outcome: string
  detail: string | null
  message_id: string | null
  clicked: number
  at: string
}

/** Re-entry ledger: one row per (flow, customer, key); `every N days` moves last_entered_at. */
export interface FlowEntriesTable {
  tenant_id: string
  flow_id: string
  customer_id: string
  /** `*` for once-ever and every-N-days, the order id for once-per-order. */
  entry_key: string
  last_entered_at: string
}

export interface FlowsTables {
  flows: FlowsTable
  flow_versions: FlowVersionsTable
  flow_runs: FlowRunsTable
  flow_run_log: FlowRunLogTable
  flow_entries: FlowEntriesTable
}
