export { CouponService, type CouponPool, type CouponIssued, type CouponExhausted, type IssueResult } from './service.js'
export { CouponPoolNotFound } from './errors.js'
export { PoolInput, MAX_CODES_PER_UPLOAD } from './schemas.js'
export { couponsHttp } from './http.js'
