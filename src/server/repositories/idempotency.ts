import type { Db } from '../db/connection.js'

export interface IdempotencyRow {
  fingerprint: string
  status: number
  headers: string
  body: string
  created_at: string
}

/** Idempotency-Key records (DESIGN.md decision 8); src/server/idempotency.ts is the HTTP side. */
export class IdempotencyRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /**
   * Claims (scope, key) for a request about to run. Returns the earlier record when there is one
   * younger than `maxAgeMs` (status 0: still running); otherwise claims it and returns undefined.
   */
  claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
    maxAgeMs: number,
  ): IdempotencyRow | undefined {
    return this.db.immediate(() => {
      const now = this.now()
      const cutoff = new Date(now.getTime() - maxAgeMs).toISOString()
      this.db.run('DELETE FROM idempotency_keys WHERE created_at < ?', cutoff)
      // A claim whose request never finished (the process died) must not block retries for a day.
      const abandoned = new Date(now.getTime() - 60_000).toISOString()
      this.db.run('DELETE FROM idempotency_keys WHERE status = 0 AND created_at < ?', abandoned)
      const existing = this.db.get<IdempotencyRow>(
        'SELECT fingerprint, status, headers, body, created_at FROM idempotency_keys WHERE scope = ? AND key = ?',
        scope,
        key,
      )
      if (existing) return existing
      this.db.run(
        'INSERT INTO idempotency_keys (scope, key, fingerprint, status, created_at) VALUES (?, ?, ?, 0, ?)',
        scope,
        key,
        fingerprint,
        now.toISOString(),
      )
      return undefined
    })
  }

  completeIdempotencyKey(
    scope: string,
    key: string,
    status: number,
    headers: Record<string, string>,
    body: string,
  ): void {
    this.db.run(
      'UPDATE idempotency_keys SET status = ?, headers = ?, body = ? WHERE scope = ? AND key = ? AND status = 0',
      status,
      JSON.stringify(headers),
      body,
      scope,
      key,
    )
  }

  releaseIdempotencyKey(scope: string, key: string): void {
    this.db.run('DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status = 0', scope, key)
  }
}
