export { TenantService, TenantInput, type Tenant, type IssuedApiKey } from './service.js'
