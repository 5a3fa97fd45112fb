import type { Writable } from 'node:stream'

import { terminalText } from '../core/escape.js'

/** Counts of a bulk run so far (rows finished in earlier runs included). */
export interface RunCounts {
  sent: number
  skipped: number
  invalid: number
  failed: number
}

const REDRAW_MS = 200

/**
 * Live progress on stderr for a person at a terminal: done/total, rate, ETA and failures on one line,
 * redrawn at most every 200 ms so that a fast run does not spend its time painting. Silent when disabled
 * (no terminal, or `--json`): scripts get only the final summary line.
 */
export class Progress {
  private readonly started = performance.now()
  private lastDraw = 0
  private drawn = false
  private doneAtStart: number | undefined

  constructor(
    private readonly stream: Writable,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  /** Redraws if enough time has passed; cheap to call per row. */
  update(counts: RunCounts, force = false): void {
    if (!this.enabled) return
    const now = performance.now()
    if (!force && now - this.lastDraw < REDRAW_MS) return
    this.lastDraw = now
    const done = counts.sent + counts.skipped + counts.invalid + counts.failed
    // Rows finished by an earlier run are not part of this run's rate.
    this.doneAtStart ??= done
    const seconds = (now - this.started) / 1000
    const rate = seconds > 0.5 ? (done - this.doneAtStart) / seconds : 0
    const eta = rate > 0 ? formatSeconds((this.total - done) / rate) : '–'
    const failures = counts.failed + counts.invalid
    const line =
      `${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} rows` +
      ` · ${Math.round(rate).toLocaleString('en-US')}/s · ETA ${eta}` +
      ` · ${failures.toLocaleString('en-US')} failed or invalid`
    // Our own ESC clears the line; whatever the line quotes is escaped (src/core/escape.ts).
    this.stream.write(`\r\x1b[2K${terminalText(line)}`)
    this.drawn = true
  }

  /** Clears the progress line so that the summary starts on a clean line. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K')
    this.drawn = false
  }
}

/** `75s` → `1m15s`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
