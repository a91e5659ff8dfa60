import { fileTypeFromBuffer } from 'file-type'
import sharp, { type Metadata } from 'sharp'

// Customer review uploads (photos, short videos). Pure: bytes in, bytes out, no storage, no HTTP.
// What a file is gets decided by its content only; the client's file name is used in messages.
//
// Known limits, said once here:
// - WebM is stored as received: phones do not write a common location tag into WebM, and
//   without ffmpeg there is nothing safe to rewrite it with.
// - In MP4/MOV, location carried as samples of a timed-metadata track (GoPro GPMF, dashcams,
//   DJI) lives inside `mdat` and is not touched; only box-level metadata is blanked.
// - The served Content-Type must be the `mime` returned here (with `nosniff`): a video is
//   passed through, so its `mdat` may hold any bytes.

const MB = 1024 * 1024

// libvips lists `.heic` among heifload's suffixes only when libheif has an HEVC decoder; the
// prebuilt sharp binaries ship AV1 (AVIF) only, so `format.heif.input.buffer` alone says too much.
const heifInput = sharp.format.heif.input
const HEIC_DECODABLE = heifInput.buffer && (heifInput.fileSuffix ?? []).some((s) => s === '.heic' || s === '.heif')

/** Limits for review media. Sizes are in bytes (MB = 1024 × 1024). */
export const MEDIA_LIMITS = {
  maxImageBytes: 15 * MB,
  maxVideoBytes: 50 * MB,
  maxFilesPerReview: 6,
  maxTotalBytesPerReview: 80 * MB,
  /** Photos are re-encoded to fit this long edge (never enlarged). */
  maxImageEdgePx: 2048,
  /** Decompression-bomb guard: a 15 MB PNG can claim 20000 × 20000 and decode to 1.6 GB. */
  maxImagePixels: 50_000_000,
  jpegQuality: 82,
  webpQuality: 82,
  /** Whether this sharp build can decode HEIC/HEIF (iPhone photos); refused with a clear message if not. */
  heicDecodable: HEIC_DECODABLE,
  imageMimes: ['image/jpeg', 'image/png', 'image/apng', 'image/webp', 'image/heic', 'image/heif', 'image/gif'],
  videoMimes: ['video/mp4', 'video/quicktime', 'video/webm'],
} as const

export type MediaRejectionCode =
  | 'UNSUPPORTED_TYPE'
  | 'TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'UNREADABLE_IMAGE'
  | 'UNREADABLE_VIDEO'
  | 'IMAGE_TOO_LARGE_PIXELS'

const STATUS: Record<MediaRejectionCode, 413 | 415 | 422> = {
  UNSUPPORTED_TYPE: 415,
  TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  IMAGE_TOO_LARGE_PIXELS: 413,
  UNREADABLE_IMAGE: 422,
  UNREADABLE_VIDEO: 422,
}

/** An upload refused, with an HTTP status and a message in English and Japanese for the customer. */
export class MediaRejected extends Error {
  override readonly name = 'MediaRejected'
  readonly status: 413 | 415 | 422
  constructor(
    readonly code: MediaRejectionCode,
    /** The client's file name, for messages only; absent when the whole review is refused. */
    readonly fileName: string | undefined,
    message: string,
    readonly messageJa: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.status = STATUS[code]
  }
}

export type MediaKind = 'image' | 'video'

/**
 * Decides what `bytes` are by content (never by name or declared type) and checks the size
 * limit for that kind. Refuses SVG, HTML and anything not a listed photo or video format.
 * @example const { kind, mime } = await sniffMedia(buf, 'IMG_0001.HEIC')
 */
export async function sniffMedia(bytes: Buffer, fileName: string): Promise<{ kind: MediaKind; mime: string }> {
  // file-type does not detect text formats, so SVG/HTML/XML come back undefined: refused below.
  const detected = await fileTypeFromBuffer(bytes)
  const mime = detected?.mime as string | undefined
  const kind: MediaKind | undefined = isListed(MEDIA_LIMITS.imageMimes, mime)
    ? 'image'
    : isListed(MEDIA_LIMITS.videoMimes, mime)
      ? 'video'
      : undefined
  if (!mime || !kind) throw unsupported(fileName, mime)
  if ((mime === 'image/heic' || mime === 'image/heif') && !HEIC_DECODABLE) throw heicRefused(fileName)
  checkFileSize(kind, fileName, bytes.length)
  return { kind, mime }
}

export interface ProcessedImage {
  data: Buffer
  mime: 'image/jpeg' | 'image/webp'
  width: number
  height: number
  bytes: number
}

// What sharp must find inside a file file-type called this: a mismatch means a crafted polyglot.
const SHARP_FORMAT: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/apng': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/heic': 'heif',
  'image/heif': 'heif',
}

/**
 * Re-encodes a photo: upright (EXIF orientation applied), at most 2048 px on the long edge, sRGB,
 * JPEG (WebP when it has alpha), with no EXIF/GPS, XMP, IPTC or ICC left.
 * `maxPixels` lowers the decompression-bomb limit (tests).
 */
export async function processImage(
  bytes: Buffer,
  fileName: string,
  options: { maxPixels?: number } = {},
): Promise<ProcessedImage> {
  const maxPixels = options.maxPixels ?? MEDIA_LIMITS.maxImagePixels
  const { kind, mime } = await sniffMedia(bytes, fileName)
  if (kind !== 'image') throw unsupported(fileName, mime)

  // Header only (no pixels decoded), so reading it without the pixel limit is safe and lets
  // the message say how large the photo is.
  let meta: Metadata
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata()
  } catch (cause) {
    throw unreadableImage(fileName, cause)
  }
  if (meta.format !== SHARP_FORMAT[mime] || !meta.width || !meta.height) throw unreadableImage(fileName)
  if (meta.width * meta.height > maxPixels) throw tooManyPixels(fileName, meta.width, meta.height, maxPixels)

  const edge = MEDIA_LIMITS.maxImageEdgePx
  // pages: 1 → first frame of a GIF/animated WebP. The pixel limit is enforced again by libvips
  // on the real decode, in case the header lied.
  const pipeline = sharp(bytes, { limitInputPixels: maxPixels, pages: 1 })
    .rotate()
    .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
  // No keepMetadata/keepExif/withMetadata: sharp then writes no EXIF, XMP, IPTC or ICC (the test checks it).
  const encoded = meta.hasAlpha
    ? pipeline.webp({ quality: MEDIA_LIMITS.webpQuality })
    : pipeline.jpeg({ quality: MEDIA_LIMITS.jpegQuality, mozjpeg: true })
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true })
    return {
      data,
      mime: meta.hasAlpha ? 'image/webp' : 'image/jpeg',
      width: info.width,
      height: info.height,
      bytes: data.length,
    }
  } catch (cause) {
    if (cause instanceof Error && /pixel limit/i.test(cause.message)) {
      throw tooManyPixels(fileName, meta.width, meta.height, maxPixels)
    }
    throw unreadableImage(fileName, cause)
  }
}

export interface ProcessedVideo {
  data: Buffer
  mime: string
  bytes: number
}

/**
 * Checks a video by content and, for MP4/MOV, blanks metadata boxes in place (`udta`, `meta`,
 * XMP `uuid` become zero-filled `free` boxes of the same size, so every chunk offset stays
 * valid). No re-encode: there is no ffmpeg. WebM is returned as is (see the limits above).
 * The input buffer is not modified.
 */
export async function processVideo(bytes: Buffer, fileName: string): Promise<ProcessedVideo> {
  const { kind, mime } = await sniffMedia(bytes, fileName)
  if (kind !== 'video') throw unsupported(fileName, mime)
  if (mime === 'video/webm') return { data: bytes, mime, bytes: bytes.length }
  const data = Buffer.from(bytes)
  try {
    blankBoxes(data, 0, data.length, 0)
  } catch (cause) {
    if (cause instanceof MalformedBox) throw unreadableVideo(fileName, cause)
    throw cause
  }
  return { data, mime, bytes: data.length }
}

/**
 * Refuses a review's set of files by count and total size before anything is decoded.
 * Each file is also held to the largest per-file limit (a video's); the per-kind limit is
 * checked by `sniffMedia` once the content is known.
 */
export function checkReviewUploads(files: ReadonlyArray<{ fileName: string; bytes: number }>): void {
  const max = MEDIA_LIMITS.maxFilesPerReview
  if (files.length > max) {
    throw new MediaRejected(
      'TOO_MANY_FILES',
      undefined,
      `${files.length} files were chosen; a review may include at most ${max} photos and videos.`,
      `${files.length} 点が選ばれています。1 件のレビューに添付できる写真・動画は ${max} 点までです。`,
    )
  }
  for (const f of files) checkFileSize(undefined, f.fileName, f.bytes)
  const total = files.reduce((sum, f) => sum + f.bytes, 0)
  const maxTotal = MEDIA_LIMITS.maxTotalBytesPerReview
  if (total > maxTotal) {
    throw new MediaRejected(
      'TOO_LARGE',
      undefined,
      `These files add up to ${mbOver(total)} MB; a review may include at most ${mb(maxTotal)} MB in total.`,
      `ファイルの合計が ${mbOver(total)} MB です。1 件のレビューに添付できるのは合計 ${mb(maxTotal)} MB までです。`,
    )
  }
}

// ---------------------------------------------------------------------------------------------
// ISO-BMFF (MP4/MOV) box walk

class MalformedBox extends Error {
  override readonly name = 'MalformedBox'
}

// Boxes that may hold location, device names, dates, edit history: `udta` (©xyz, loci, XMP_,
// make/model), `meta` (Apple keys/ilst: com.apple.quicktime.location.ISO6709). `free`/`skip`
// are zeroed too: editors leave the old moov, location included, in free space.
const BLANKED = new Set(['udta', 'meta', 'free', 'skip'])
// Only these are walked into; everything else (mdat, stbl, sample entries) is opaque payload.
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'moof', 'traf', 'meco'])
// Adobe's XMP box (`uuid` with this usertype, usually top level) can carry GPS too.
const XMP_UUID = Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex')
// Real files nest moov/trak/mdia/minf: 4 levels. A deeper chain is a crafted file (stack exhaustion).
const MAX_DEPTH = 8

/** Walks the boxes in [start, end) of `buf`, rewriting metadata boxes in place. */
function blankBoxes(buf: Buffer, start: number, end: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new MalformedBox(`boxes nested deeper than ${MAX_DEPTH}`)
  let pos = start
  while (pos < end) {
    const left = end - pos
    if (left < 8) {
      // QuickTime lists may end with a 32-bit zero terminator; anything else is a cut-off header.
      if (buf.subarray(pos, end).every((b) => b === 0)) return
      throw new MalformedBox(`${left} stray bytes at ${pos}`)
    }
    let size = buf.readUInt32BE(pos)
    const type = buf.toString('latin1', pos + 4, pos + 8)
    let header = 8
    if (size === 1) {
      if (left < 16) throw new MalformedBox(`64-bit size of ${type} cut off at ${pos}`)
      const large = buf.readBigUInt64BE(pos + 8)
      if (large > BigInt(left)) throw new MalformedBox(`${type} at ${pos} runs past its parent`)
      size = Number(large)
      header = 16
    } else if (size === 0) {
      size = left // to the end of the file (or, leniently, of the parent)
    }
    if (size < header) throw new MalformedBox(`${type} at ${pos} has size ${size}`)
    if (size > left) throw new MalformedBox(`${type} at ${pos} runs past its parent`)
    const boxEnd = pos + size
    const isXmp = type === 'uuid' && size >= header + 16 && buf.subarray(pos + header, pos + header + 16).equals(XMP_UUID)
    if (BLANKED.has(type) || isXmp) {
      // Same size, same size field (32- or 64-bit): only the type and the payload change.
      buf.write('free', pos + 4, 'latin1')
      buf.fill(0, pos + header, boxEnd)
    } else if (CONTAINERS.has(type)) {
      blankBoxes(buf, pos + header, boxEnd, depth + 1)
    }
    pos = boxEnd
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

function isListed(list: readonly string[], mime: string | undefined): boolean {
  return mime !== undefined && list.includes(mime)
}

function checkFileSize(kind: MediaKind | undefined, fileName: string, bytes: number): void {
  const name = displayName(fileName)
  if (kind === 'image' && bytes > MEDIA_LIMITS.maxImageBytes) {
    const limit = mb(MEDIA_LIMITS.maxImageBytes)
    throw new MediaRejected(
      'TOO_LARGE',
      fileName,
      `${name.en} is ${mbOver(bytes)} MB; a photo may be at most ${limit} MB.`,
      `${name.ja}は ${mbOver(bytes)} MB です。写真は 1 枚 ${limit} MB までです。`,
    )
  }
  if (kind === 'video' && bytes > MEDIA_LIMITS.maxVideoBytes) {
    const limit = mb(MEDIA_LIMITS.maxVideoBytes)
    throw new MediaRejected(
      'TOO_LARGE',
      fileName,
      `${name.en} is ${mbOver(bytes)} MB; a video may be at most ${limit} MB.`,
      `${name.ja}は ${mbOver(bytes)} MB です。動画は 1 本 ${limit} MB までです。`,
    )
  }
  if (kind === undefined && bytes > MEDIA_LIMITS.maxVideoBytes) {
    const video = mb(MEDIA_LIMITS.maxVideoBytes)
    const photo = mb(MEDIA_LIMITS.maxImageBytes)
    throw new MediaRejected(
      'TOO_LARGE',
      fileName,
      `${name.en} is ${mbOver(bytes)} MB; a video may be at most ${video} MB and a photo ${photo} MB.`,
      `${name.ja}は ${mbOver(bytes)} MB です。動画は 1 本 ${video} MB、写真は 1 枚 ${photo} MB までです。`,
    )
  }
}

function acceptedFormats(): { en: string; ja: string } {
  const photos = HEIC_DECODABLE ? 'JPEG, PNG, WebP, HEIC or GIF' : 'JPEG, PNG, WebP or GIF'
  const photosJa = HEIC_DECODABLE ? 'JPEG・PNG・WebP・HEIC・GIF' : 'JPEG・PNG・WebP・GIF'
  return {
    en: `Photos may be ${photos}; videos may be MP4, MOV or WebM.`,
    ja: `写真は ${photosJa}、動画は MP4・MOV・WebM でお送りください。`,
  }
}

function unsupported(fileName: string, mime: string | undefined): MediaRejected {
  const name = displayName(fileName)
  const formats = acceptedFormats()
  const what = mime ? `its content is ${mime}` : 'its content is not a photo or video format we recognise'
  return new MediaRejected(
    'UNSUPPORTED_TYPE',
    fileName,
    `${name.en} cannot be used (${what}). ${formats.en}`,
    `${name.ja}は対応していない形式のため使えません。${formats.ja}`,
  )
}

function heicRefused(fileName: string): MediaRejected {
  const name = displayName(fileName)
  return new MediaRejected(
    'UNSUPPORTED_TYPE',
    fileName,
    `${name.en} is a HEIC photo, which we cannot read yet. Please send it as JPEG ` +
      '(on iPhone: Settings > Camera > Formats > Most Compatible, or share it as JPEG).',
    `${name.ja}は HEIC 形式の写真のため、現在は読み込めません。JPEG でお送りください` +
      '（iPhone では「設定」>「カメラ」>「フォーマット」で「互換性優先」を選ぶと JPEG で撮影できます）。',
  )
}

function unreadableImage(fileName: string, cause?: unknown): MediaRejected {
  const name = displayName(fileName)
  return new MediaRejected(
    'UNREADABLE_IMAGE',
    fileName,
    `${name.en} could not be read as a photo; the file may be damaged.`,
    `${name.ja}を写真として読み込めませんでした。ファイルが壊れている可能性があります。`,
    { cause },
  )
}

function unreadableVideo(fileName: string, cause?: unknown): MediaRejected {
  const name = displayName(fileName)
  return new MediaRejected(
    'UNREADABLE_VIDEO',
    fileName,
    `${name.en} could not be read as a video; the file may be damaged or cut off.`,
    `${name.ja}を動画として読み込めませんでした。ファイルが壊れているか、途中で切れている可能性があります。`,
    { cause },
  )
}

function tooManyPixels(fileName: string, width: number, height: number, maxPixels: number): MediaRejected {
  const name = displayName(fileName)
  return new MediaRejected(
    'IMAGE_TOO_LARGE_PIXELS',
    fileName,
    `${name.en} is ${width} × ${height} pixels (${megapixels(width * height)} megapixels); ` +
      `a photo may be at most ${megapixels(maxPixels)} megapixels.`,
    `${name.ja}は ${width} × ${height} ピクセル（${manPixels(width * height)}）です。` +
      `写真は ${manPixels(maxPixels)}までです。`,
  )
}

/** Megabytes with at most one decimal: 15 MB, 16.2 MB. */
function mb(bytes: number): string {
  return trim(Math.round((bytes / MB) * 10) / 10)
}

// Rounded up, so a file just over 15 MB never reads "15 MB; at most 15 MB".
function mbOver(bytes: number): string {
  return trim(Math.ceil((bytes / MB) * 10 - 1e-9) / 10)
}

function megapixels(px: number): string {
  return trim(Math.round(px / 1e5) / 10)
}

// Japanese counts pixels in 万 (10⁴) and 億 (10⁸): 50 MP = 5000 万画素.
function manPixels(px: number): string {
  if (px >= 1e8) return `${trim(Math.round(px / 1e7) / 10)} 億画素`
  return `${trim(Math.round(px / 1e4))} 万画素`
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

// The client's name goes into messages shown back to people: drop control and bidi-override
// characters (`photo\u202Egpj.exe`) and keep it short.
function displayName(fileName: string): { en: string; ja: string } {
  const clean = fileName.replace(/[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, '').trim()
  if (!clean) return { en: 'The file', ja: 'ファイル' }
  const short = [...clean].length > 80 ? `${[...clean].slice(0, 79).join('')}…` : clean
  // Japanese puts a space between a Latin name and the particle, none after a Japanese word.
  return { en: short, ja: `${short} ` }
}
