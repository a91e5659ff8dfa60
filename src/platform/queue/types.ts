import type { Executor } from '../db/index.js'

/** Per-queue policy: how often to retry and how long a job may run before it counts as lost. */
export interface QueuePolicy {
  retryLimit: number
  /** First retry delay; doubles on each further attempt (exponential backoff). */
  retryDelaySeconds: number
  /** A job held this long by a worker that died is handed to another worker. */
  expireInSeconds: number
}

export const defaultPolicy: QueuePolicy = { retryLimit: 8, retryDelaySeconds: 2, expireInSeconds: 300 }

export interface Job<T = unknown> {
  id: string
  name: string
  data: T
}

export interface DeadJob {
  id: string
  name: string
  data: unknown
  error: string | null
  failedAt: string | null
}

export interface WorkOptions {
  batchSize?: number
  /** Parallel fetch loops in this process (PostgreSQL); SQLite has one writer, so one loop. */
  concurrency?: number
  /**
   * Jobs of one batch run at once (default 1: one after another). For handlers that wait on the
   * network (sending messages); on SQLite their transactions then share group commits.
   */
  parallel?: number
}

/** A failed attempt, for the log: `dead` when no retry is left. */
export interface JobFailure {
  queue: string
  jobId: string
  /** Known on SQLite; pg-boss keeps its own count. */
  attempt?: number
  dead: boolean
  error: string
}

export type JobHandler<T = unknown> = (job: Job<T>) => Promise<void>

/**
 * The job queue every module uses: jobs are written inside the caller's transaction
 * (so a job exists exactly when the state change that caused it committed), run at least once,
 * retried with exponential backoff and parked as dead after the retry limit.
 */
export interface Queue {
  readonly engine: 'sqlite' | 'pg-boss'
  /** Declares a queue and its policy; idempotent, call before send/work. */
  declare(name: string, policy?: Partial<QueuePolicy>): Promise<void>
  send(tx: Executor, name: string, data: unknown, options?: { startAfter?: Date }): Promise<void>
  /** Several jobs written with one statement, in the caller's transaction. */
  sendMany(tx: Executor, jobs: ReadonlyArray<{ name: string; data: unknown; startAfter?: Date }>): Promise<void>
  work<T>(name: string, handler: JobHandler<T>, options?: WorkOptions): Promise<void>
  /** Stops fetching new jobs; resolves when running jobs have ended. */
  stop(): Promise<void>
  deadJobs(name?: string, limit?: number): Promise<DeadJob[]>
  /** Moves dead jobs back to waiting; returns how many. */
  retryDead(name?: string): Promise<number>
  /** Counts of jobs by queue and state (metrics, CLI). */
  counts(): Promise<Array<{ name: string; state: string; count: number }>>
  /** Resolves when no job (of the named queues, or of any) is waiting (due now) or running; for tests and the demo. */
  drain(timeoutMs?: number, names?: string[]): Promise<void>
}
