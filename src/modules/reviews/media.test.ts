import { crc32, deflateSync } from 'node:zlib'
import fc from 'fast-check'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { checkReviewUploads, MEDIA_LIMITS, MediaRejected, processImage, processVideo, sniffMedia } from './media.js'

// Every fixture is built here from code: no binaries committed.

const MB = 1024 * 1024

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<MediaRejected> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    if (e instanceof MediaRejected) return e
    throw e
  }
  throw new Error('expected a MediaRejected')
}

// --- image fixtures ---------------------------------------------------------------------------

/** 300 × 200 JPEG, left half red, right half blue, with Orientation=6, GPS EXIF, XMP, IPTC and a P3 ICC profile. */
async function jpegWithEverything(): Promise<Buffer> {
  const width = 300
  const height = 200
  const raw = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? [220, 20, 20] : [20, 20, 220], (y * width + x) * 3)
  }
  const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    // sharp numbers the IFDs as libvips does: IFD0, IFD1, EXIF = IFD2, GPS = IFD3.
    .withExif({
      IFD0: { Make: 'KandoCam', Model: 'Secret Phone 9' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '35/1 39/1 3096/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '139/1 44/1 4344/100',
      },
    })
    .withIccProfile('p3')
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,39.516N"/></rdf:RDF></x:xmpmeta>',
    )
    .toBuffer()
  // sharp cannot write IPTC: splice an APP13 "Photoshop 3.0" segment with City=Tokyo after SOI.
  const iptc = Buffer.concat([Buffer.from([0x1c, 0x02, 0x5a, 0x00, 0x05]), Buffer.from('Tokyo')])
  const resource = Buffer.concat([Buffer.from('8BIM'), Buffer.from([0x04, 0x04, 0, 0]), u32(iptc.length), iptc, Buffer.alloc(iptc.length % 2)])
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0'), resource])
  const app13 = Buffer.concat([Buffer.from([0xff, 0xed]), u16(body.length + 2), body])
  return Buffer.concat([jpeg.subarray(0, 2), app13, jpeg.subarray(2)])
}

/** Whether a sharp `exif` buffer ("Exif\0\0" + TIFF) has the GPS IFD pointer, tag 0x8825 of type LONG. */
function hasGpsIfdPointer(exif: Buffer): boolean {
  const little = exif.toString('latin1', 6, 8) === 'II'
  const pattern = little ? [0x25, 0x88, 0x04, 0x00] : [0x88, 0x25, 0x00, 0x04]
  return exif.includes(Buffer.from(pattern))
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data])
  return Buffer.concat([u32(data.length), typed, u32(crc32(typed))])
}

/** A PNG whose header claims width × height; the pixel data is a few bytes (a decompression bomb's shape). */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

const solid = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: { r: 10, g: 120, b: 40, alpha: channels === 4 ? 0.4 : 1 } } })

// --- ISO-BMFF fixtures ------------------------------------------------------------------------

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** A box in a test file: leaf (payload) or container (children); `large` = 64-bit size, `toEnd` = size 0. */
interface BoxNode {
  type: string
  payload?: Uint8Array
  children?: BoxNode[]
  large?: boolean
  toEnd?: boolean
}
interface Span {
  type: string
  start: number
  header: number
  end: number
  /** Reached by the walk in media.ts (all ancestors are containers it enters). */
  walked: boolean
}

const WALKED_CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'moof', 'traf', 'meco'])
const BLANKED = new Set(['udta', 'meta', 'free', 'skip'])
const XMP_UUID = Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex')

/** Serialises boxes starting at file offset `base`, recording where each box landed. */
function serialize(nodes: BoxNode[], base: number, walked: boolean, spans: Span[]): Buffer {
  const parts: Buffer[] = []
  let pos = base
  for (const node of nodes) {
    // Size 0 ("to the end") has no 64-bit field, so it overrides `large`.
    const large = node.large === true && !node.toEnd
    const header = large ? 16 : 8
    const span: Span = { type: node.type, start: pos, header, end: 0, walked }
    spans.push(span)
    const body = node.children
      ? serialize(node.children, pos + header, walked && WALKED_CONTAINERS.has(node.type), spans)
      : Buffer.from(node.payload ?? [])
    const size = header + body.length
    const sizeField = node.toEnd ? u32(0) : large ? u32(1) : u32(size)
    const largeSize = Buffer.alloc(large ? 8 : 0)
    if (large) largeSize.writeBigUInt64BE(BigInt(size))
    parts.push(sizeField, Buffer.from(node.type, 'latin1'), largeSize, body)
    span.end = pos + size
    pos += size
  }
  return Buffer.concat(parts)
}

function build(nodes: BoxNode[]): { file: Buffer; spans: Span[] } {
  const spans: Span[] = []
  return { file: serialize(nodes, 0, true, spans), spans }
}

/** What processVideo should produce: each walked metadata box turned into a zeroed `free` box. */
function expectedBlanking(file: Buffer, spans: Span[]): Buffer {
  const out = Buffer.from(file)
  // Outer boxes first, so a nested one inside an already blanked box is not walked.
  const blanked: Span[] = []
  for (const s of spans) {
    if (!s.walked || blanked.some((b) => s.start >= b.start && s.end <= b.end)) continue
    const isXmp = s.type === 'uuid' && file.subarray(s.start + s.header, s.start + s.header + 16).equals(XMP_UUID)
    if (!BLANKED.has(s.type) && !isXmp) continue
    out.write('free', s.start + 4, 'latin1')
    out.fill(0, s.start + s.header, s.end)
    blanked.push(s)
  }
  return out
}

const ftyp = (brand: string): BoxNode => ({
  type: 'ftyp',
  payload: Buffer.concat([Buffer.from(brand, 'latin1'), u32(0x200), Buffer.from(`${brand}iso2avc1mp41`, 'latin1')]),
})
const fullBox = (type: string, ...rest: Buffer[]): BoxNode => ({ type, payload: Buffer.concat([u32(0), ...rest]) })

/** A phone-like MP4: GPS in moov/udta/©xyz and in an Apple moov/trak/meta keys+ilst, a stco pointing into mdat. */
function phoneVideo(brand = 'isom', opts: { largeUdta?: boolean; mdatToEnd?: boolean } = {}) {
  const location = Buffer.from('+35.6586+139.7454/')
  const media = Buffer.from('VIDEODATA'.repeat(20))
  const tree = (chunkOffset: number): BoxNode[] => [
    ftyp(brand),
    { type: 'free', payload: Buffer.alloc(0) },
    {
      type: 'moov',
      children: [
        fullBox('mvhd', Buffer.alloc(96)),
        {
          type: 'udta',
          large: opts.largeUdta,
          children: [
            { type: '\u00a9xyz', payload: Buffer.concat([u16(location.length), u16(0x15c7), location]) },
            { type: '\u00a9mod', payload: Buffer.concat([u16(14), u16(0x15c7), Buffer.from('Secret Phone 9')]) },
          ],
        },
        {
          type: 'trak',
          children: [
            fullBox('tkhd', Buffer.alloc(80)),
            {
              type: 'mdia',
              children: [
                fullBox('mdhd', Buffer.alloc(20)),
                fullBox('hdlr', Buffer.alloc(4), Buffer.from('vide'), Buffer.alloc(13)),
                {
                  type: 'minf',
                  children: [{ type: 'stbl', children: [fullBox('stco', u32(1), u32(chunkOffset))] }],
                },
              ],
            },
            {
              type: 'meta',
              children: [
                fullBox('hdlr', Buffer.alloc(4), Buffer.from('mdta'), Buffer.alloc(13)),
                fullBox('keys', u32(1), u32(44), Buffer.from('mdta'), Buffer.from('com.apple.quicktime.location.ISO6709')),
                { type: 'ilst', payload: Buffer.from('+35.6586+139.7454+040.000/') },
              ],
            },
          ],
        },
      ],
    },
    { type: 'mdat', payload: media, toEnd: opts.mdatToEnd },
  ]
  // The chunk offset is a field of fixed width, so one pass tells where mdat's payload lands.
  const first = build(tree(0))
  const mdat = first.spans.find((s) => s.type === 'mdat')!
  const { file, spans } = build(tree(mdat.start + mdat.header))
  return { file, spans, media }
}

function readChunkOffset(file: Buffer, spans: Span[]): number {
  const stco = spans.find((s) => s.type === 'stco')!
  return file.readUInt32BE(stco.start + stco.header + 8)
}

// --- tests ------------------------------------------------------------------------------------

describe('sniffMedia: by content only', () => {
  it('refuses an HTML page named photo.jpg as UNSUPPORTED_TYPE (415)', async () => {
    const html = Buffer.from('<!doctype html><script>alert(1)</script>')
    const err = await rejection(sniffMedia(html, 'photo.jpg'))
    expect(err.code).toBe('UNSUPPORTED_TYPE')
    expect(err.status).toBe(415)
    expect(err.fileName).toBe('photo.jpg')
    expect(err.message).toMatch(/^photo\.jpg cannot be used/)
    expect(err.messageJa).toMatch(/^photo\.jpg は対応していない形式/)
    // The same from processImage, which is what an upload route calls.
    expect((await rejection(processImage(html, 'photo.jpg'))).code).toBe('UNSUPPORTED_TYPE')
  })

  it('refuses SVG (scriptable) even though sharp could render it', async () => {
    const svgs = [
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    ]
    for (const svg of svgs) {
      expect((await sharp(Buffer.from(svg)).metadata()).format).toBe('svg')
      for (const name of ['review.svg', 'photo.png']) {
        const err = await rejection(processImage(Buffer.from(svg), name))
        expect(err.code).toBe('UNSUPPORTED_TYPE')
        expect(err.status).toBe(415)
      }
    }
  })

  it('refuses an empty file, a PDF and a Matroska (non-WebM) file', async () => {
    const mkv = Buffer.from('1a45dfa39b4286810142f7810142f2810442f381084282886d6174726f736b61', 'hex')
    for (const [bytes, name] of [
      [Buffer.alloc(0), 'empty.jpg'],
      [Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), 'receipt.jpg'],
      [mkv, 'clip.webm'],
    ] as const) {
      expect((await rejection(sniffMedia(bytes, name))).code).toBe('UNSUPPORTED_TYPE')
    }
  })

  it('names the kind found, whatever the file is called', async () => {
    const jpeg = await solid(8, 8).jpeg().toBuffer()
    expect(await sniffMedia(jpeg, 'clip.mp4')).toEqual({ kind: 'image', mime: 'image/jpeg' })
    expect(await sniffMedia(phoneVideo().file, 'IMG_0001.JPG')).toEqual({ kind: 'video', mime: 'video/mp4' })
    expect(await sniffMedia(phoneVideo('qt  ').file, 'x')).toEqual({ kind: 'video', mime: 'video/quicktime' })
  })

  it('handles HEIC as this sharp build allows', async () => {
    const heic = build([{ type: 'ftyp', payload: Buffer.from('heic\0\0\0\0mif1heic') }, { type: 'meta', payload: Buffer.alloc(32) }]).file
    if (MEDIA_LIMITS.heicDecodable) {
      expect(await sniffMedia(heic, 'IMG_0001.HEIC')).toEqual({ kind: 'image', mime: 'image/heic' })
    } else {
      const err = await rejection(sniffMedia(heic, 'IMG_0001.HEIC'))
      expect(err.code).toBe('UNSUPPORTED_TYPE')
      expect(err.message).toContain('IMG_0001.HEIC is a HEIC photo')
      expect(err.message).toContain('Most Compatible')
      expect(err.messageJa).toContain('互換性優先')
    }
  })

  it('refuses a photo over 15 MB by size before decoding, naming the limit', async () => {
    const jpeg = await solid(16, 16).jpeg().toBuffer()
    const big = Buffer.concat([jpeg, Buffer.alloc(Math.floor(16.2 * MB) - jpeg.length)])
    const err = await rejection(processImage(big, 'photo.jpg'))
    expect(err.code).toBe('TOO_LARGE')
    expect(err.status).toBe(413)
    expect(err.message).toBe('photo.jpg is 16.2 MB; a photo may be at most 15 MB.')
    expect(err.messageJa).toBe('photo.jpg は 16.2 MB です。写真は 1 枚 15 MB までです。')
    // Just over the limit never reads "15 MB; at most 15 MB".
    const edge = Buffer.concat([jpeg, Buffer.alloc(15 * MB + 1 - jpeg.length)])
    expect((await rejection(sniffMedia(edge, 'a.jpg'))).message).toBe('a.jpg is 15.1 MB; a photo may be at most 15 MB.')
  })

  it('refuses a video over 50 MB', async () => {
    const file = build([ftyp('isom'), { type: 'mdat', payload: Buffer.alloc(50 * MB) }]).file
    const err = await rejection(processVideo(file, 'clip.mp4'))
    expect(err.code).toBe('TOO_LARGE')
    expect(err.status).toBe(413)
    expect(err.message).toBe('clip.mp4 is 50.1 MB; a video may be at most 50 MB.')
    expect(err.messageJa).toBe('clip.mp4 は 50.1 MB です。動画は 1 本 50 MB までです。')
  })

  it('keeps control and bidi-override characters of the client name out of messages', async () => {
    const err = await rejection(sniffMedia(Buffer.from('<html>'), 'cat\u202Egpj.exe\n'))
    expect(err.message).toMatch(/^catgpj\.exe cannot be used/)
    expect(err.fileName).toBe('cat\u202Egpj.exe\n')
  })
})

describe('processImage', () => {
  it('drops EXIF (GPS included), XMP, IPTC and ICC, and keeps the photo upright', async () => {
    const input = await jpegWithEverything()
    const before = await sharp(input).metadata()
    // The fixture really carries what must go.
    expect(before.orientation).toBe(6)
    expect(before.exif && hasGpsIfdPointer(before.exif)).toBe(true)
    expect(before.exif?.includes('KandoCam')).toBe(true)
    expect(before.xmp?.includes('GPSLatitude')).toBe(true)
    expect(before.iptc?.includes('Tokyo')).toBe(true)
    expect(before.icc).toBeDefined()

    const out = await processImage(input, 'photo.jpg')
    expect(out.mime).toBe('image/jpeg')
    expect([out.width, out.height]).toEqual([200, 300])
    expect(out.bytes).toBe(out.data.length)
    const after = await sharp(out.data).metadata()
    expect(after.format).toBe('jpeg')
    expect(after.exif).toBeUndefined()
    expect(after.xmp).toBeUndefined()
    expect(after.iptc).toBeUndefined()
    expect(after.icc).toBeUndefined()
    expect(after.orientation).toBeUndefined()
    expect([after.width, after.height]).toEqual([200, 300])
    for (const marker of ['Exif\0\0', 'http://ns.adobe.com/xap', 'Photoshop 3.0', 'KandoCam', 'Tokyo', 'ICC_PROFILE']) {
      expect(out.data.includes(marker), marker).toBe(false)
    }

    // Orientation 6 turns the stored left (red) half into the top of the displayed photo.
    const { data, info } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true })
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)]
    const [tr, , tb] = px(100, 40)
    const [br, , bb] = px(100, 260)
    expect(tr! > 150 && tb! < 90).toBe(true)
    expect(bb! > 150 && br! < 90).toBe(true)
  })

  it('fits the long edge into 2048 px and never enlarges', async () => {
    const big = await processImage(await solid(3000, 1500).png().toBuffer(), 'wide.png')
    expect([big.width, big.height]).toEqual([2048, 1024])
    const small = await processImage(await solid(120, 90).webp().toBuffer(), 'small.webp')
    expect([small.width, small.height, small.mime]).toEqual([120, 90, 'image/jpeg'])
  })

  it('turns a PNG with alpha into WebP with alpha', async () => {
    const out = await processImage(await solid(64, 48, 4).png().toBuffer(), 'sticker.png')
    expect(out.mime).toBe('image/webp')
    const meta = await sharp(out.data).metadata()
    expect([meta.format, meta.hasAlpha, meta.width, meta.height]).toEqual(['webp', true, 64, 48])
    expect(meta.exif).toBeUndefined()
    expect(meta.icc).toBeUndefined()
  })

  it('takes the first frame of an animated GIF', async () => {
    const frame = (background: string) => sharp({ create: { width: 40, height: 30, channels: 3, background } }).png().toBuffer()
    const gif = await sharp([await frame('red'), await frame('blue')], { join: { animated: true } }).gif().toBuffer()
    expect((await sharp(gif).metadata()).pages).toBe(2)
    const out = await processImage(gif, 'loop.gif')
    expect([out.width, out.height]).toEqual([40, 30])
  })

  it('refuses a PNG header claiming 20000 × 20000 without decoding it', async () => {
    const err = await rejection(processImage(pngClaiming(20000, 20000), 'bomb.png'))
    expect(err.code).toBe('IMAGE_TOO_LARGE_PIXELS')
    expect(err.status).toBe(413)
    expect(err.message).toBe('bomb.png is 20000 × 20000 pixels (400 megapixels); a photo may be at most 50 megapixels.')
    expect(err.messageJa).toBe('bomb.png は 20000 × 20000 ピクセル（4 億画素）です。写真は 5000 万画素までです。')
  })

  it('honours a lowered pixel limit', async () => {
    const err = await rejection(processImage(await solid(400, 300).jpeg().toBuffer(), 'p.jpg', { maxPixels: 100_000 }))
    expect(err.code).toBe('IMAGE_TOO_LARGE_PIXELS')
    expect(err.message).toContain('at most 0.1 megapixels')
  })

  it('refuses a truncated JPEG as UNREADABLE_IMAGE (422), and a video passed as a photo', async () => {
    const jpeg = await solid(200, 200).jpeg().toBuffer()
    const err = await rejection(processImage(jpeg.subarray(0, 200), 'cut.jpg'))
    expect(err.code).toBe('UNREADABLE_IMAGE')
    expect(err.status).toBe(422)
    expect(err.messageJa).toBe('cut.jpg を写真として読み込めませんでした。ファイルが壊れている可能性があります。')
    expect((await rejection(processImage(phoneVideo().file, 'x.jpg'))).code).toBe('UNSUPPORTED_TYPE')
  })
})

describe('processVideo', () => {
  for (const [brand, mime] of [
    ['isom', 'video/mp4'],
    ['mp42', 'video/mp4'],
    ['qt  ', 'video/quicktime'],
  ] as const) {
    it(`${mime} (${brand.trim()}): udta/meta become zeroed free boxes, nothing else moves`, async () => {
      const { file, spans, media } = phoneVideo(brand)
      const input = Buffer.from(file)
      expect(file.includes('\u00a9xyz', 0, 'latin1')).toBe(true)
      expect(file.includes('35.6586')).toBe(true)

      const out = await processVideo(file, 'clip.mov')
      expect(out.mime).toBe(mime)
      expect(out.data.length).toBe(file.length)
      expect(out.bytes).toBe(file.length)
      expect(file.equals(input)).toBe(true) // the caller's buffer is untouched
      expect(out.data.includes('\u00a9xyz', 0, 'latin1')).toBe(false)
      expect(out.data.includes('35.6586')).toBe(false)
      expect(out.data.includes('Secret Phone')).toBe(false)
      expect(out.data.includes('ISO6709')).toBe(false)

      const changed = spans.filter((s) => ['udta', 'meta', 'free'].includes(s.type) && s.walked)
      expect(changed.map((s) => s.type)).toEqual(['free', 'udta', 'meta'])
      for (const s of changed) {
        expect(out.data.toString('latin1', s.start + 4, s.start + 8)).toBe('free')
        expect(out.data.readUInt32BE(s.start)).toBe(file.readUInt32BE(s.start))
        expect(out.data.subarray(s.start + s.header, s.end).every((b) => b === 0)).toBe(true)
      }
      expect(out.data.equals(expectedBlanking(file, spans))).toBe(true)
      // The chunk offset still points at the media data.
      const offset = readChunkOffset(out.data, spans)
      expect(out.data.subarray(offset, offset + media.length).equals(media)).toBe(true)
    })
  }

  it('handles a 64-bit udta size and a final mdat of size 0', async () => {
    const { file, spans } = phoneVideo('isom', { largeUdta: true, mdatToEnd: true })
    const udta = spans.find((s) => s.type === 'udta')!
    expect(file.readUInt32BE(udta.start)).toBe(1)
    const out = await processVideo(file, 'clip.mp4')
    expect(out.data.equals(expectedBlanking(file, spans))).toBe(true)
    expect(out.data.readBigUInt64BE(udta.start + 8)).toBe(BigInt(udta.end - udta.start))
    expect(out.data.includes('35.6586')).toBe(false)
  })

  it('blanks a top-level XMP uuid box and leaves other uuid boxes', async () => {
    const other = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
    const { file, spans } = build([
      ftyp('isom'),
      { type: 'uuid', payload: Buffer.concat([XMP_UUID, Buffer.from('<x:xmpmeta>exif:GPSLatitude="35,39.5N"</x:xmpmeta>')]) },
      { type: 'uuid', payload: Buffer.concat([other, Buffer.from('keep me')]) },
      { type: 'mdat', payload: Buffer.from('data') },
    ])
    const out = await processVideo(file, 'clip.mp4')
    expect(out.data.equals(expectedBlanking(file, spans))).toBe(true)
    expect(out.data.includes('GPSLatitude')).toBe(false)
    expect(out.data.includes('keep me')).toBe(true)
  })

  it('refuses a box tree that lies about sizes as UNREADABLE_VIDEO (422)', async () => {
    const { file, spans } = phoneVideo()
    const moov = spans.find((s) => s.type === 'moov')!
    const udta = spans.find((s) => s.type === 'udta')!

    const cut = file.subarray(0, moov.start + 40)
    const pastParent = Buffer.from(file)
    pastParent.writeUInt32BE(moov.end - udta.start + 8, udta.start) // udta claims to run past moov
    const pastFile = Buffer.from(file)
    pastFile.writeUInt32BE(file.length, moov.start)
    const tooSmall = Buffer.from(file)
    tooSmall.writeUInt32BE(4, udta.start)
    const large = Buffer.from(file)
    large.writeUInt32BE(1, udta.start) // 64-bit size read from the next 8 bytes: nonsense
    const stray = Buffer.concat([file, Buffer.from([1, 2, 3])])

    for (const [name, bytes] of Object.entries({ cut, pastParent, pastFile, tooSmall, large, stray })) {
      const err = await rejection(processVideo(bytes, `${name}.mp4`))
      expect(err.code, name).toBe('UNREADABLE_VIDEO')
      expect(err.status).toBe(422)
      expect(err.message).toBe(`${name}.mp4 could not be read as a video; the file may be damaged or cut off.`)
    }
  })

  it('refuses trak boxes nested hundreds deep instead of recursing without bound', async () => {
    let node: BoxNode = { type: 'udta', payload: Buffer.from('x') }
    for (let i = 0; i < 500; i++) node = { type: 'trak', children: [node] }
    const { file } = build([ftyp('isom'), { type: 'moov', children: [node] }])
    expect((await rejection(processVideo(file, 'deep.mp4'))).code).toBe('UNREADABLE_VIDEO')
  })

  it('passes WebM through as is', async () => {
    // EBML header with DocType "webm", then an empty Segment.
    const webm = Buffer.from('1a45dfa38f4282847765626d4287810242858102185380670100000000000000', 'hex')
    const out = await processVideo(webm, 'clip.webm')
    expect(out.mime).toBe('video/webm')
    expect(out.data.equals(webm)).toBe(true)
  })

  it('refuses a photo passed as a video', async () => {
    const jpeg = await solid(8, 8).jpeg().toBuffer()
    expect((await rejection(processVideo(jpeg, 'clip.mp4'))).code).toBe('UNSUPPORTED_TYPE')
  })

  it('property: only walked udta/meta/free boxes change, to zeroed free boxes of the same size', async () => {
    const leafType = fc.constantFrom('mvhd', 'tkhd', 'stco', 'hdlr', 'mdat', 'free', 'skip', 'udta', 'meta', '\u00a9xyz', 'uuid')
    const containerType = fc.constantFrom('moov', 'trak', 'mdia', 'minf', 'stbl', 'udta', 'meta', 'edts')
    const { tree } = fc.letrec<{ tree: BoxNode }>((tie) => ({
      tree: fc.oneof(
        { maxDepth: 4, withCrossShrink: true },
        fc.record({
          type: leafType,
          payload: fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.uint8Array({ minLength: 16, maxLength: 24 }).map((b) => Buffer.concat([XMP_UUID, b]))),
          large: fc.boolean(),
        }),
        fc.record({ type: containerType, children: fc.array(tie('tree'), { maxLength: 4 }), large: fc.boolean() }),
      ),
    }))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('isom', 'mp42', 'qt  '),
        fc.array(tree, { maxLength: 5 }),
        fc.boolean(),
        async (brand, boxes, lastToEnd) => {
          const nodes: BoxNode[] = [ftyp(brand), ...boxes]
          if (lastToEnd && boxes.length > 0) nodes[nodes.length - 1] = { ...nodes[nodes.length - 1]!, toEnd: true }
          const { file, spans } = build(nodes)
          const out = await processVideo(file, 'random.mp4')
          expect(out.data.length).toBe(file.length)
          expect(out.data.equals(expectedBlanking(file, spans))).toBe(true)
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('checkReviewUploads', () => {
  const file = (n: number, bytes = MB) => ({ fileName: `photo${n}.jpg`, bytes })

  it('accepts six files within 80 MB in total', () => {
    expect(() => checkReviewUploads(Array.from({ length: 6 }, (_, i) => file(i, 13 * MB)))).not.toThrow()
  })

  it('refuses a seventh file as TOO_MANY_FILES (413)', async () => {
    const err = await rejection(() => checkReviewUploads(Array.from({ length: 7 }, (_, i) => file(i))))
    expect(err.code).toBe('TOO_MANY_FILES')
    expect(err.status).toBe(413)
    expect(err.fileName).toBeUndefined()
    expect(err.message).toBe('7 files were chosen; a review may include at most 6 photos and videos.')
    expect(err.messageJa).toBe('7 点が選ばれています。1 件のレビューに添付できる写真・動画は 6 点までです。')
  })

  it('refuses more than 80 MB in total as TOO_LARGE', async () => {
    const err = await rejection(() => checkReviewUploads(Array.from({ length: 6 }, (_, i) => file(i, 14 * MB))))
    expect(err.code).toBe('TOO_LARGE')
    expect(err.status).toBe(413)
    expect(err.message).toBe('These files add up to 84 MB; a review may include at most 80 MB in total.')
    expect(err.messageJa).toBe('ファイルの合計が 84 MB です。1 件のレビューに添付できるのは合計 80 MB までです。')
  })

  it('refuses one file larger than any kind allows', async () => {
    const err = await rejection(() => checkReviewUploads([{ fileName: 'movie.mov', bytes: 60 * MB }]))
    expect(err.code).toBe('TOO_LARGE')
    expect(err.fileName).toBe('movie.mov')
    expect(err.message).toBe('movie.mov is 60 MB; a video may be at most 50 MB and a photo 15 MB.')
  })
})
