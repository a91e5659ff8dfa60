import { createHash, randomBytes } from 'node:crypto'

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'

function encodeBase32(bytes: Uint8Array): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31]
  return out
}

/**
 * A prefixed, time-ordered id (`ord_01h…`): 48 bits of milliseconds then 80 random bits,
 * so ids sort by creation time (cursor pagination relies on it) and never collide in practice.
 * @example newId('ord') // 'ord_06bq3z1e4k8x0m2v9c7d5f6g8h'
 */
export function newId(prefix: string, at: Date = new Date()): string {
  const bytes = new Uint8Array(16)
  let ms = Math.max(at.getTime(), lastMs)
  if (ms === lastMs) {
    // Same millisecond as the previous id: count up from it, so ids made in order sort in order
    // (history rows of one transaction, events of one request).
    lastRandom = increment(lastRandom)
  } else {
    lastMs = ms
    lastRandom = pooledRandom(10)
    lastRandom[0]! &= 0x7f // headroom so counting up never overflows in practice
  }
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  bytes.set(lastRandom, 6)
  return `${prefix}_${encodeBase32(bytes)}`
}

// Random bytes are drawn from the OS in blocks: one call per id costs more than the rest of newId.
const POOL_SIZE = 4096
let pool = randomBytes(POOL_SIZE)
let poolOffset = 0

function pooledRandom(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE)
    poolOffset = 0
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n))
  poolOffset += n
  return out
}

let lastMs = 0
let lastRandom: Buffer = Buffer.alloc(10)

function increment(b: Buffer): Buffer {
  const out = Buffer.from(b)
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 255) {
      out[i]!++
      return out
    }
    out[i] = 0
  }
  return out
}

/** A token for public links and keys: 256 random bits, URL-safe. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** SHA-256 hex; used for high-entropy secrets (API keys) where a slow hash buys nothing. */
export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex')
}
