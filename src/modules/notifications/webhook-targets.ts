import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/**
 * Where outgoing webhooks may not go: the installation's own network. A brand types the URL, and
 * Kando posts to it from inside the 3PL's network, so without this a URL could reach internal
 * services or a cloud metadata endpoint. Self-hosters whose own systems sit on a private network
 * allow it with KANDO_WEBHOOKS_ALLOW_PRIVATE=1.
 */
const INTERNAL = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, bits, 'ipv6')

function internal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4')
  return INTERNAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

/** Why Kando will not post to `url`, or undefined when it may. Resolves the host (every address must be public). */
export async function refuseWebhookTarget(url: string, allowPrivate: boolean): Promise<string | undefined> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'only http and https URLs'
  if (allowPrivate) return undefined
  const host = u.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address)
  } catch {
    return `the host ${host} does not resolve`
  }
  const bad = addresses.find(internal)
  return bad ? `${host} is on an internal network (${bad}); set KANDO_WEBHOOKS_ALLOW_PRIVATE=1 to allow it` : undefined
}
