import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Prometheus metrics of one process (`/metrics`). */
export class Metrics {
  readonly registry = new Registry()
  readonly httpDuration = new Histogram({
    name: 'kando_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })
  readonly ordersIngested = new Counter({
    name: 'kando_orders_ingested_total',
    help: 'Orders taken in, by source and whether the order was new',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  })
  readonly webhooksReceived = new Counter({
    name: 'kando_webhooks_received_total',
    help: 'Incoming webhooks by provider, topic and outcome',
    labelNames: ['provider', 'topic', 'outcome'] as const,
    registers: [this.registry],
  })

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kando_' })
  }
}
