export { CustomerService, CONSENT_CHANNELS, type Customer, type ConsentChannel, type ConsentState } from './service.js'
