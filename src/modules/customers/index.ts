export { CustomerService, type Customer } from './service.js'
