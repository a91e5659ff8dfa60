import { describe, expect, it } from 'vitest'
import { refuseWebhookTarget } from './webhook-targets.js'

describe('webhook targets', () => {
  it('refuses loopback, private, link-local (metadata) and mapped addresses', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://10.1.2.3/', 'https://192.168.0.10/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[::ffff:10.0.0.1]/', 'http://[fd00::1]/', 'http://localhost/']) {
      expect(await refuseWebhookTarget(url, false), url).toMatch(/internal network|does not resolve/)
    }
  })
  it('lets public addresses and, when allowed, private ones through; refuses other schemes', async () => {
    expect(await refuseWebhookTarget('https://93.184.215.14/hook', false)).toBeUndefined()
    expect(await refuseWebhookTarget('http://127.0.0.1:8080/x', true)).toBeUndefined()
    expect(await refuseWebhookTarget('ftp://93.184.215.14/', true)).toBe('only http and https URLs')
  })
})
