/**
 * A "nobody sends before T" gate shared by every request of one client. When the API answers 429 with
 * `Retry-After`, the whole client waits (not only the request that was refused): otherwise the other
 * requests in flight keep hitting a limit that has already been reached. The bulk runner also uses it to
 * hold every worker while the server is unreachable.
 */
export class PauseGate {
  private until = 0

  constructor(private readonly now: () => number = Date.now) {}

  /** Holds every request until at least `ms` from now (never shortens an earlier pause). */
  pauseFor(ms: number): void {
    this.until = Math.max(this.until, this.now() + Math.max(0, ms))
  }

  /** Milliseconds left before requests may go again (0 when open). */
  remaining(): number {
    return Math.max(0, this.until - this.now())
  }

  /** Resolves when the gate is open; a pause extended meanwhile is waited for too. */
  async wait(sleep: (ms: number) => Promise<void>): Promise<void> {
    for (let left = this.remaining(); left > 0; left = this.remaining()) await sleep(left)
  }
}
