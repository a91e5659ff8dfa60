import { AppError } from '../../platform/errors.js'

/** No pool with this id for this brand (another brand's pool is not found either). */
export class CouponPoolNotFound extends AppError {
  constructor(readonly poolId: string) {
    super('COUPON_POOL_NOT_FOUND', 'not_found', `No coupon pool with id ${poolId}.`)
  }
}
