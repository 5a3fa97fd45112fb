import type { Db } from '../db/connection.js'

/** One charge of the wallet ledger. Balances are sums over it (DESIGN.md decision 7). */
export interface LedgerRow {
  id: number
  organization_id: string
  amount: number
  service: string
  sms_points: number
  reason: string | null
  created_at: string
}

/** The wallet ledger. */
export class WalletRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** chargeWallet: one ledger row (a single INSERT, so one transaction by itself). */
  chargeWallet(input: {
    organizationId: string
    amount: number
    service: string
    smsPoints: number
    reason: string | null
    createdBy: string
  }): LedgerRow {
    const createdAt = this.now().toISOString()
    const result = this.db.run(
      `INSERT INTO ledger (organization_id, amount, service, sms_points, reason, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      input.organizationId,
      input.amount,
      input.service,
      input.smsPoints,
      input.reason,
      input.createdBy,
      createdAt,
    )
    return {
      id: result.lastInsertRowid,
      organization_id: input.organizationId,
      amount: input.amount,
      service: input.service,
      sms_points: input.smsPoints,
      reason: input.reason,
      created_at: createdAt,
    }
  }

  /** getWallet: the balance and the newest `limit` ledger rows. */
  getWallet(
    organizationId: string,
    limit: number,
  ): { amount: number; smsPoints: number; ledger: LedgerRow[] } {
    const sums = this.db.get<{ amount: number; sms: number }>(
      'SELECT COALESCE(SUM(amount), 0) AS amount, COALESCE(SUM(sms_points), 0) AS sms FROM ledger WHERE organization_id = ?',
      organizationId,
    )!
    const ledger = this.db.all<LedgerRow>(
      'SELECT id, organization_id, amount, service, sms_points, reason, created_at FROM ledger WHERE organization_id = ? ORDER BY id DESC LIMIT ?',
      organizationId,
      limit,
    )
    return { amount: sums.amount, smsPoints: sums.sms, ledger }
  }
}
