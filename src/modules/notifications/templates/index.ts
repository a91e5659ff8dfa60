/** The notifications module's template engine, its shipped templates and preview samples. */
export { TemplateEngine, type TemplateChannel, type TemplateEngineOptions, type TemplateProblem } from './engine.js'
export { TemplateError, type TemplateErrorCode } from './errors.js'
export { DEFAULTS, defaultTemplateSource, type DefaultTemplates } from './defaults.js'
export { sampleContext } from './sample.js'
