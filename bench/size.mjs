// Size: `members list ORG --all --csv` over an organization of 100,000 members next to one of 10,000,
// both seeded directly in SQLite, served by a sandbox server in another process. Rows per second and
// peak memory (max RSS of the CLI process, /usr/bin/time -v). Goal (issue 6): peak memory within 1.3x,
// i.e. the list is streamed page by page, never collected.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import Database from 'better-sqlite3'

import { cli, fmt, machine, startServerProcess } from './lib.mjs'

const TOKEN = 'bench-admin-token-size'
const SIZES = [10_000, 100_000]
const GOAL = 1.3

async function createOrg(url, name) {
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, countryCode: 'US' }),
  })
  if (res.status !== 201) throw new Error(`create org: ${res.status}`)
  return res.headers.get('location').split('/').pop()
}

/** Adds `count` users, each a Member of `org` in its Default workspace (schema: src/server/migrations). */
function seed(db, org, count) {
  const workspace = db.prepare('SELECT id FROM workspaces WHERE organization_id = ?').get(org).id
  const now = new Date().toISOString()
  const user = db.prepare('INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)')
  const member = db.prepare('INSERT INTO members (organization_id, user_id, joined_at) VALUES (?, ?, ?)')
  const role = db.prepare('INSERT INTO member_roles (member_id, role_id) VALUES (?, 3)')
  const ws = db.prepare('INSERT INTO member_workspaces (member_id, workspace_id) VALUES (?, ?)')
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID()
      user.run(id, `m${i}.${org.slice(0, 8)}@example.com`, `Member ${i}, "seeded"`, now)
      const memberId = member.run(org, id, now).lastInsertRowid
      role.run(memberId)
      ws.run(memberId, workspace)
    }
  })()
}

function measure(org, env, out) {
  const args = [cli, 'members', 'list', org, '--all', '--csv']
  const fd = openSync(out, 'w')
  const started = process.hrtime.bigint()
  let r
  let kib
  try {
    if (existsSync('/usr/bin/time')) {
      r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], {
        env,
        stdio: ['ignore', fd, 'pipe'],
      })
      kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1])
    } else {
      const wrapper = `const r=require('child_process').spawnSync(process.execPath,${JSON.stringify(args)},{stdio:'inherit'});process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n');process.exit(r.status)`
      r = spawnSync(process.execPath, ['-e', wrapper], { env, stdio: ['ignore', fd, 'pipe'] })
      kib = Number(/maxrss (\d+)/.exec(r.stderr)?.[1])
    }
  } finally {
    closeSync(fd)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) throw new Error(`members list exited ${r.status}: ${r.stderr}`)
  // One record a line (LF or CRLF), one header line; the seeded names hold no line breaks.
  const rows =
    readFileSync(out, 'latin1')
      .split('\n')
      .filter((line) => line.trim() !== '').length - 1
  return { mib: kib / 1024, seconds, rows }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-size-'))
  const dbFile = join(dir, 'size.db')
  try {
    // The server makes the schema, the admin and the organizations; the members go straight into SQLite.
    let server = await startServerProcess({ db: dbFile, token: TOKEN })
    const orgs = []
    try {
      for (const n of SIZES) orgs.push(await createOrg(server.url, `Size ${n}`))
    } finally {
      await server.stop()
    }
    const db = new Database(dbFile)
    db.pragma('journal_mode = WAL')
    // The owner is the organization's first member; seed the rest.
    SIZES.forEach((n, i) => seed(db, orgs[i], n - 1))
    db.close()

    server = await startServerProcess({ db: dbFile, token: TOKEN })
    const results = []
    try {
      const env = {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CONFIG_HOME: join(dir, 'config'),
        ORGCTL_API_URL: server.url,
        ORGCTL_TOKEN: TOKEN,
      }
      for (const [i, n] of SIZES.entries()) {
        const r = measure(orgs[i], env, join(dir, `out-${n}.csv`))
        if (r.rows !== n) throw new Error(`expected ${n} rows, got ${r.rows}`)
        results.push({ n, ...r })
      }
    } finally {
      await server.stop()
    }
    const [small, large] = results
    const ratio = large.mib / small.mib
    const markdown = [
      `Machine: ${machine()}. \`orgctl members list ORG --all --csv\` (100 members per page) against \`orgctl server start\` in another process, stdout to a file; peak RSS of the CLI from \`/usr/bin/time -v\`. Members are seeded directly in the SQLite file.`,
      '',
      '| members | peak RSS (MiB) | wall (s) | rows/s |',
      '| ---: | ---: | ---: | ---: |',
      ...results.map(
        (r) => `| ${fmt(r.n)} | ${fmt(r.mib, 1)} | ${fmt(r.seconds, 2)} | ${fmt(r.rows / r.seconds)} |`,
      ),
      '',
      `${fmt(SIZES[1])} / ${fmt(SIZES[0])} members = **${fmt(ratio, 2)}x** peak memory (goal: within ${GOAL}x: ${ratio <= GOAL ? 'met' : '**not met**'}).`,
      'Rows per second include start-up. Each page is one request; the server pages with `LIMIT/OFFSET` over the `(organization_id, id)` index (migration 002; before it, every page joined and sorted the whole organization, 0.5 s a page at 100,000 members). `--json --all` is not the streaming form: it gathers every page so that stdout holds one document.',
    ].join('\n')
    return { title: 'Size: listing every member', markdown }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
