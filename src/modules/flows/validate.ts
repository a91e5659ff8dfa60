/**
 * validateFlow: shape (zod, definition.ts) then graph rules, returning every error with an
 * RFC 6901 JSON pointer to the node that is wrong.
 *
 * Decisions:
 * - Unreachable steps are errors, not warnings: a step nothing leads to is almost always a
 *   mis-typed `next`, and saving a flow that silently skips what its author drew is worse than
 *   asking them to delete or wire the step.
 * - A cycle is allowed only if it passes through a wait with a duration (`for`) or an event
 *   timeout: those are the steps guaranteed to put the run to sleep for a positive time. A wait
 *   `until` a time of day or weekday is not enough (it can be due immediately), nor is a condition
 *   or split. Otherwise a customer could loop forever within one scheduler tick.
 * - Limits: at most MAX_STEPS steps, predicates nested at most MAX_PREDICATE_DEPTH deep.
 */
import type { z } from 'zod'
import { flowSchema, stepSchema, type FlowDefinition, type Predicate, type Step } from './definition.js'

export const MAX_STEPS = 200
export const MAX_PREDICATE_DEPTH = 8
/** Largest share of customers a split may hold out. */
export const MAX_HOLDOUT_SHARE = 0.5

export interface FlowError { pointer: string; message: string }
export type FlowValidation = { ok: true; flow: FlowDefinition } | { ok: false; errors: FlowError[] }

/** RFC 6901 pointer from path segments (`~` → `~0`, `/` → `~1`). */
export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

type Issue = z.core.$ZodIssue

/**
 * Zod issues → errors. A union that matched no branch reports, from the branch that got furthest
 * (its shallowest issue is deepest), its own issues, so `{ fact: 'bogus' }` points at `/…/fact`
 * rather than at the whole predicate.
 */
function issuesToErrors(issues: ReadonlyArray<Issue>, prefix: ReadonlyArray<PropertyKey> = []): FlowError[] {
  const out: FlowError[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      let best: Issue[] | undefined
      let bestScore = -1
      for (const branch of issue.errors) {
        const score = Math.min(...branch.map((i) => i.path.length))
        if (score > bestScore || (score === bestScore && best !== undefined && branch.length < best.length)) { best = branch; bestScore = score }
      }
      out.push(...issuesToErrors(best ?? [], path))
    } else {
      out.push({ pointer: toPointer(path), message: issue.message })
    }
  }
  return out
}

/** Outgoing edges of a step: [field path under the step, target id]. */
export function edges(step: Step): Array<[string[], string]> {
  switch (step.type) {
    case 'wait': return step.event ? [[['next'], step.next], [['event', 'onTimeout'], step.event.onTimeout]] : [[['next'], step.next]]
    case 'condition': return [[['then'], step.then], [['else'], step.else]]
    case 'action': return step.next ? [[['next'], step.next]] : []
    case 'split': return step.arms.map((a, i): [string[], string] => [['arms', String(i), 'next'], a.next])
    case 'end': return []
  }
}

/** A step that always sleeps a positive time before moving on: it breaks a loop. */
function sleeps(step: Step): boolean {
  return step.type === 'wait' && (step.for !== undefined || step.event !== undefined)
}

function predicateDepth(p: Predicate): number {
  if ('all' in p) return 1 + Math.max(...p.all.map(predicateDepth))
  if ('any' in p) return 1 + Math.max(...p.any.map(predicateDepth))
  if ('not' in p) return 1 + predicateDepth(p.not)
  return 1
}

/** Predicates in the document with their paths, for the depth limit. */
function predicates(flow: FlowDefinition): Array<[PropertyKey[], Predicate]> {
  const out: Array<[PropertyKey[], Predicate]> = []
  if (flow.trigger.kind === 'event' && flow.trigger.filter) out.push([['trigger', 'filter'], flow.trigger.filter])
  for (const [id, s] of Object.entries(flow.steps)) {
    if (s.type === 'condition') out.push([['steps', id, 'if'], s.if])
    if (s.type === 'wait' && s.event?.filter) out.push([['steps', id, 'event', 'filter'], s.event.filter])
  }
  flow.exit.forEach((e, i) => {
    if (e.kind === 'event' && e.filter) out.push([['exit', i, 'filter'], e.filter])
    if (e.kind === 'predicate') out.push([['exit', i, 'if'], e.if])
  })
  return out
}

/** Graph and cross-field rules on a document whose shape is valid. */
function graphErrors(flow: FlowDefinition): FlowError[] {
  const errors: FlowError[] = []
  const err = (path: PropertyKey[], message: string) => errors.push({ pointer: toPointer(path), message })
  const ids = Object.keys(flow.steps)
  const has = (id: string) => Object.hasOwn(flow.steps, id)

  if (ids.length > MAX_STEPS) err(['steps'], `a flow may have at most ${MAX_STEPS} steps; this one has ${ids.length}`)
  if (!has(flow.entry)) err(['entry'], `entry step "${flow.entry}" does not exist`)

  for (const [path, p] of predicates(flow)) {
    const d = predicateDepth(p)
    if (d > MAX_PREDICATE_DEPTH) err(path, `predicate is nested ${d} deep; the limit is ${MAX_PREDICATE_DEPTH}`)
  }

  for (const id of ids) {
    const step = flow.steps[id]!
    for (const [field, target] of edges(step)) {
      if (!has(target)) err(['steps', id, ...field], `step "${target}" does not exist`)
    }
    if (step.type === 'wait') {
      const modes = [step.for, step.until, step.event].filter((x) => x !== undefined).length
      if (modes !== 1) err(['steps', id], 'a wait needs exactly one of "for", "until" or "event"')
    }
    if (step.type === 'split') {
      const seen = new Set<string>()
      step.arms.forEach((a, i) => {
        if (seen.has(a.name)) err(['steps', id, 'arms', i, 'name'], `arm name "${a.name}" is used twice`)
        seen.add(a.name)
      })
      if (step.holdout) {
        const total = step.arms.reduce((s, a) => s + a.weight, 0) + step.holdout.weight
        const share = step.holdout.weight / total
        if (share > MAX_HOLDOUT_SHARE) err(['steps', id, 'holdout', 'weight'], `holdout is ${(share * 100).toFixed(1)} % of the split; at most ${MAX_HOLDOUT_SHARE * 100} % allowed`)
      }
    }
  }

  // Reachability from entry (depth-first, in document order, so results are stable).
  const reached = new Set<string>()
  const order: string[] = []
  if (has(flow.entry)) {
    const stack = [flow.entry]
    while (stack.length > 0) {
      const id = stack.pop()!
      if (reached.has(id)) continue
      reached.add(id); order.push(id)
      const targets = edges(flow.steps[id]!).map(([, t]) => t).filter(has)
      for (let i = targets.length - 1; i >= 0; i--) stack.push(targets[i]!)
    }
    for (const id of ids) if (!reached.has(id)) err(['steps', id], `step "${id}" cannot be reached from entry "${flow.entry}"`)
  }

  // Cycles that never sleep: cycles in the graph with sleeping waits removed.
  errors.push(...nonSleepingCycles(flow, order.length > 0 ? [...order, ...ids.filter((i) => !reached.has(i))] : ids))
  return errors
}

/** One error per strongly connected component (of non-sleeping steps) that contains a cycle. */
function nonSleepingCycles(flow: FlowDefinition, order: string[]): FlowError[] {
  const live = (id: string) => Object.hasOwn(flow.steps, id) && !sleeps(flow.steps[id]!)
  const succ = (id: string) => edges(flow.steps[id]!).map(([, t]) => t).filter(live)
  // Tarjan's SCC, iterative so 200 steps cannot blow the stack
  let counter = 0
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  for (const root of order) {
    if (!live(root) || index.has(root)) continue
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }]
    index.set(root, counter); low.set(root, counter++); stack.push(root); onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const next = succ(frame.id)
      if (frame.i < next.length) {
        const w = next[frame.i++]!
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter++); stack.push(w); onStack.add(w)
          work.push({ id: w, i: 0 })
        } else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!))
      if (low.get(frame.id) === index.get(frame.id)) {
        const comp: string[] = []
        let w: string
        do { w = stack.pop()!; onStack.delete(w); comp.push(w) } while (w !== frame.id)
        components.push(comp)
      }
    }
  }
  const errors: FlowError[] = []
  const rank = new Map(order.map((id, i) => [id, i]))
  for (const comp of components) {
    const inComp = new Set(comp)
    if (comp.length === 1 && !succ(comp[0]!).includes(comp[0]!)) continue
    // start at the component's first step in traversal order and walk back to it inside the component
    const start = [...comp].sort((a, b) => rank.get(a)! - rank.get(b)!)[0]!
    const path = cyclePath(start, (id) => succ(id).filter((t) => inComp.has(t)))
    errors.push({
      pointer: toPointer(['steps', start]),
      message: `cycle ${path.join(' → ')} has no wait with a duration or event timeout, so a customer could loop forever`,
    })
  }
  return errors
}

/** A shortest cycle start → … → start (breadth-first), given that one exists. */
function cyclePath(start: string, succ: (id: string) => string[]): string[] {
  const prev = new Map<string, string>()
  const queue = [start]
  for (let q = 0; q < queue.length; q++) {
    const id = queue[q]!
    for (const t of succ(id)) {
      if (t === start) {
        const path = [start]
        for (let cur: string | undefined = id; cur !== undefined && cur !== start; cur = prev.get(cur)) path.splice(1, 0, cur)
        return [...path, start]
      }
      if (!prev.has(t)) { prev.set(t, id); queue.push(t) }
    }
  }
  return [start, start]
}

/**
 * Missing-target errors for a document whose shape failed, so one save shows those too: only
 * for steps that are well formed on their own. Reachability and loops wait for a valid shape,
 * since a malformed step's edges are unknown and would make those reports wrong.
 */
function referenceErrors(doc: unknown): FlowError[] {
  if (typeof doc !== 'object' || doc === null) return []
  const { steps, entry } = doc as { steps?: unknown; entry?: unknown }
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return []
  const has = (id: string) => Object.hasOwn(steps, id)
  const errors: FlowError[] = []
  if (typeof entry === 'string' && !has(entry)) errors.push({ pointer: '/entry', message: `entry step "${entry}" does not exist` })
  for (const [id, raw] of Object.entries(steps)) {
    const step = stepSchema.safeParse(raw)
    if (!step.success) continue
    for (const [field, target] of edges(step.data)) {
      if (!has(target)) errors.push({ pointer: toPointer(['steps', id, ...field]), message: `step "${target}" does not exist` })
    }
  }
  return errors
}

/**
 * Validates a flow document: shape, references, durations, event types, split shares,
 * reachability and loops. Returns every error found; never throws.
 * @example
 * const r = validateFlow(JSON.parse(body))
 * if (!r.ok) return problem(422, r.errors) // [{ pointer: '/steps/ask/next', message: 'step "x" does not exist' }]
 */
export function validateFlow(doc: unknown): FlowValidation {
  const parsed = flowSchema.safeParse(doc)
  if (!parsed.success) return { ok: false, errors: [...issuesToErrors(parsed.error.issues), ...referenceErrors(doc)] }
  const errors = graphErrors(parsed.data)
  return errors.length > 0 ? { ok: false, errors } : { ok: true, flow: parsed.data }
}
