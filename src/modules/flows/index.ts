/** Flows: the flow document (schema, types, known events), its validation, and sticky split assignment. */
export {
  KNOWN_EVENT_TYPES, PREDICATE_FACTS, COMPARE_OPS, MAX_DURATION_SECONDS, parseDuration, flowSchema, predicateSchema,
  type KnownEventType, type FlowDefinition, type Step, type WaitStep, type ConditionStep, type ActionStep, type SplitStep,
  type FlowAction, type Trigger, type Predicate, type FactPredicate, type ExitCondition, type Reentry, type CompareOp, type Scalar,
} from './definition.js'
export { validateFlow, toPointer, MAX_STEPS, MAX_PREDICATE_DEPTH, MAX_HOLDOUT_SHARE, type FlowError, type FlowValidation } from './validate.js'
export { splitArm, stickyPoint, type SplitArm, type SplitAssignment } from './sticky.js'
export { FlowService, DEFAULT_FLOW_SETTINGS, STEP_QUEUE, type Flow, type FlowRun, type FlowSettings, type FlowStats, type FlowStatus } from './service.js'
export { BUILTIN_FLOWS, BUILTIN_KEYS, builtinFlow, type BuiltinKey, type BuiltinOptions } from './builtin.js'
export { advance, evaluate, waitEnd, onAwaitedEvent, type Facts, type RunState, type StepPort, type ActionResult } from './interpreter.js'
export { simulate, type DryRunReport } from './dry-run.js'
export { flowsHttp } from './http.js'
