import { simpleParser } from 'mailparser'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/db/index.js'
import { newId } from '../../platform/ids.js'
import { TenantDb } from '../../platform/tenancy.js'
import { composeMime } from './channels/email.js'
import type { ChannelSender, SendOutcome, SendRequest } from './types.js'

/**
 * The built-in mailbox: with no SMTP server configured, mail is composed exactly as it would be
 * sent (same MIME) and kept in the database, readable through the API, so a fresh `npm start`
 * shows real rendered messages. Keyed by message id, so a retried send stores it once.
 */
export class DevMailbox implements ChannelSender {
  readonly channel = 'email' as const

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async send(req: SendRequest): Promise<SendOutcome> {
    if (req.content.channel !== 'email') return { ok: false, permanent: true, reason: 'dev mailbox takes email only' }
    const raw = await composeMime(req)
    // Read back what a mail client would see (the subject decoded from its RFC 2047 words).
    const parsed = await simpleParser(raw)
    const id = newId('mbx', this.clock.now())
    await this.db.transaction(async (trx) => {
      await new TenantDb(req.tenantId, trx, this.db.dialect).insertInto('dev_mailbox', {
        id, message_id: req.messageId, from_address: req.from?.address ?? '', to_address: req.to.toLowerCase(),
        subject: parsed.subject ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', text: parsed.text ?? '',
        raw: raw.toString('utf8'), received_at: this.clock.now().toISOString(),
      }).onConflict((oc) => oc.column('message_id').doNothing()).execute()
    })
    return { ok: true, providerId: id, response: '250 stored in the dev mailbox' }
  }

  async close(): Promise<void> {}
}
