/**
 * HiGHS (npm `highs`, WebAssembly, single-threaded) as the reference optimum for
 * `npm run bench:allocation`: solves solve.ts's problem as written by mip.ts, with a time limit,
 * and reports the proven optimum, or the best solution and best bound when time ran out.
 */
import highsModule from 'highs'

// `highs` is CommonJS: under NodeNext its default import types as the module, at run time it is the loader.
const loader = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as typeof highsModule.default
type Highs = Awaited<ReturnType<typeof loader>>
let instance: Highs | undefined

export interface MipResult {
  readonly status: 'optimal' | 'time limit' | 'infeasible' | 'other'
  /** Best solution found (yen), when there is one. */
  readonly objective?: number
  /** Proven lower bound (yen). */
  readonly bound?: number
  readonly seconds: number
}

export async function solveMip(lp: string, timeLimitS: number): Promise<MipResult> {
  instance ??= await loader()
  const t0 = performance.now()
  const model = instance.createModel({ format: 'lp', data: lp })
  try {
    model.options.set({ time_limit: timeLimitS, mip_rel_gap: 0, output_flag: false })
    const run = model.run()
    const seconds = (performance.now() - t0) / 1000
    const codes = instance.constants.modelStatus
    const num = (name: string): number | undefined => {
      try {
        const v = Number(model.info.get(name))
        return Number.isFinite(v) && Math.abs(v) < 1e15 ? v : undefined
      } catch {
        return undefined
      }
    }
    const objective = num('objective_function_value')
    const bound = num('mip_dual_bound')
    if (run.modelStatus === codes.optimal) return { status: 'optimal', objective: Math.round(objective!), bound: Math.round(objective!), seconds }
    if (run.modelStatus === codes.infeasible) return { status: 'infeasible', seconds }
    const hasSolution = objective !== undefined && num('primal_solution_status') === 2
    return {
      status: run.modelStatus === codes.timeLimit ? 'time limit' : 'other',
      ...(hasSolution ? { objective: Math.round(objective) } : {}),
      ...(bound !== undefined ? { bound } : {}),
      seconds,
    }
  } finally {
    model.dispose()
  }
}
