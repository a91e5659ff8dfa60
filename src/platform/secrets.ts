import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Encrypts secrets that Kando must read back (a shop's webhook signing secret) with AES-256-GCM.
 * Stored form: `v1.<iv>.<tag>.<ciphertext>`, each base64url.
 */
export class SecretBox {
  private readonly key: Buffer

  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64')
    if (this.key.length !== 32) throw new Error('KANDO_SECRET_KEY must be 32 bytes, base64-encoded')
  }

  seal(plain: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
  }

  /**
   * A 128-bit tag of `data` under a key derived from the installation key, for links that must
   * not be guessable from an id (an open pixel): `/o/<id>.<tag>`.
   */
  tag(data: string): string {
    const macKey = createHash('sha256').update('kando-link-tag\u0000').update(this.key).digest()
    return createHmac('sha256', macKey).update(data).digest().subarray(0, 16).toString('base64url')
  }

  /**
   * A 256-bit link token derived from a stored random nonce (128 bits or more): the link can be
   * rebuilt for a reminder, yet the database alone never reveals it (only its hash is stored).
   */
  derive(purpose: string, nonce: string): string {
    const macKey = createHash('sha256').update('kando-link-token\u0000').update(this.key).digest()
    return createHmac('sha256', macKey).update(`${purpose}\u0000${nonce}`).digest('base64url')
  }

  checkTag(data: string, tag: string): boolean {
    const want = Buffer.from(this.tag(data))
    const got = Buffer.from(tag)
    return want.length === got.length && timingSafeEqual(want, got)
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.')
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unreadable sealed secret')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }
}

/**
 * The key from KANDO_SECRET_KEY, or, for the embedded default, one generated once into
 * `<dataDir>/secret.key` (mode 0600) so `npm start` needs no set-up.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured
  const file = join(dataDir, 'secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32).toString('base64')
  try {
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another process starting at the same moment wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    for (let i = 0; i < 100; i++) {
      const theirs = readFileSync(file, 'utf8').trim()
      if (theirs) return theirs
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10) // their write is a moment away
    }
    throw new Error(`${file} exists but stays empty`)
  }
  return key
}
