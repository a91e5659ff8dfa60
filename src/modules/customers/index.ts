export { CustomerService, CONSENT_CHANNELS, type Customer, type ConsentChannel, type ConsentState } from './service.js'
export { Tag, TraitKey, TraitValue } from './profile.js'
