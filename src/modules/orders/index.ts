export { OrderService, orderNotFound, type Order, type OrderLine, type OrderFilter } from './service.js'
export { ORDER_STATUSES, canTransition, pathTo, allowedNext, type OrderStatus } from './lifecycle.js'
export { OrderInput, type OrderInputRaw } from './schemas.js'
