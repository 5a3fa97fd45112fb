import { isUtf8 } from 'node:buffer'
import { Transform } from 'node:stream'
import type { TransformCallback } from 'node:stream'

import { BulkInputError } from './errors.js'

const NEWLINE = 0x0a

/** Options of {@link InputGuard}. */
export interface InputGuardOptions {
  /** Longest physical line, in bytes, before the whole input is rejected. */
  maxLineBytes: number
  /** Sees every raw chunk, in order, before it is passed on (used to hash the input while it is read). */
  onBytes?: ((chunk: Buffer) => void) | undefined
}

/**
 * A pass-through stream that rejects, as early as possible, inputs no parser should see: bytes that are not
 * UTF-8 and lines longer than the limit. It works on each chunk as it arrives, so a 10 MB line is refused
 * after the first chunk past the limit instead of after buffering it, and memory stays at one chunk.
 */
export class InputGuard extends Transform {
  /** Newlines seen so far, i.e. the number of complete lines. */
  lines = 0
  /** Bytes seen so far. */
  bytes = 0
  private lineBytes = 0
  // The bytes of a UTF-8 sequence cut by a chunk boundary, completed by the next chunk.
  private carry: Buffer | undefined
  private readonly options: InputGuardOptions

  constructor(options: InputGuardOptions) {
    super()
    this.options = options
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.options.onBytes?.(chunk)
    this.bytes += chunk.length
    const error = this.checkUtf8(chunk) ?? this.checkLineLength(chunk)
    if (error) {
      callback(error)
      return
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.carry && this.carry.length > 0) {
      callback(notUtf8(this.lines + 1))
      return
    }
    callback()
  }

  private checkUtf8(chunk: Buffer): BulkInputError | undefined {
    const buffer = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    const cut = completeLength(buffer)
    const whole = buffer.subarray(0, cut)
    this.carry = cut < buffer.length ? Buffer.from(buffer.subarray(cut)) : undefined
    if (isUtf8(whole)) return undefined
    // Slow path, only once per bad file: a newline byte never occurs inside a multi-byte sequence, so each
    // line can be checked on its own to find the one to name. The carry holds no newline, so line numbers
    // count from the newlines seen before this chunk.
    let start = 0
    let line = this.lines + 1
    for (;;) {
      const end = whole.indexOf(NEWLINE, start)
      const segment = whole.subarray(start, end === -1 ? whole.length : end)
      if (!isUtf8(segment)) return notUtf8(line)
      if (end === -1) return notUtf8(line)
      start = end + 1
      line++
    }
  }

  private checkLineLength(chunk: Buffer): BulkInputError | undefined {
    const max = this.options.maxLineBytes
    let start = 0
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start)
      this.lineBytes += (end === -1 ? chunk.length : end) - start
      if (this.lineBytes > max) {
        return new BulkInputError(
          `line ${this.lines + 1} is longer than ${formatBytes(max)}; each row must fit on a line of at most ${formatBytes(max)}`,
          { line: this.lines + 1, code: 'LINE_TOO_LONG' },
        )
      }
      if (end === -1) return undefined
      this.lines++
      this.lineBytes = 0
      start = end + 1
    }
  }
}

/** Length of the prefix of `buffer` that does not end inside an incomplete UTF-8 sequence. */
function completeLength(buffer: Buffer): number {
  // A sequence is at most 4 bytes, so only the last 3 can start one that is still incomplete.
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back] as number
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return needed > back ? buffer.length - back : buffer.length
  }
  return buffer.length
}

function notUtf8(line: number): BulkInputError {
  return new BulkInputError(
    `line ${line} is not valid UTF-8; save the file as UTF-8 (in Excel: "CSV UTF-8") and try again`,
    { line, code: 'NOT_UTF8' },
  )
}

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`
}
