// Shared helpers for the benchmarks: timing whole processes, medians, and the report format.
// Benchmarks never assert; they measure and write docs/BENCHMARKS.md (see run.mjs).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const cli = path.join(root, 'bin', 'run.js')

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Wall time of one process run, in milliseconds; throws when it exits non-zero. */
export function timeOnce(cmd, args, options = {}) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/**
 * Times several commands in interleaved rounds (A B C A B C ...) so that drift on a shared machine
 * hits them all alike; returns the median of each.
 */
export function timeInterleaved(cases, { runs = 15, warmup = 2 } = {}) {
  const samples = cases.map(() => [])
  for (let i = 0; i < warmup + runs; i++) {
    cases.forEach((c, j) => {
      const ms = timeOnce(c.cmd, c.args, c.options)
      if (i >= warmup) samples[j].push(ms)
    })
  }
  return cases.map((c, j) => ({ name: c.name, median: median(samples[j]), runs }))
}

/** Starts `orgctl server start` in its own process and resolves when it listens. */
export function startServerProcess({ db, token, extraArgs = [], env = {}, nodeArgs = [] }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, cli, 'server', 'start', '--port', '0', '--db', db, '--quiet', ...extraArgs],
      {
        env: { ...process.env, ORGCTL_ADMIN_TOKEN: token, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/Listening on (http:\/\/\S+)/)
      if (m) resolve({ url: m[1], child, stop: () => stopChild(child) })
    })
    child.on('exit', (code) => reject(new Error(`server exited ${code} before listening`)))
  })
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`
}

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Where the self time of one profile goes, grouped by package (or orgctl's files and Node's internals). */
export function summarizeCpuProfile(file, top = 6) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const dt = new Map()
  prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)))
  const groups = new Map()
  let total = 0
  for (const node of prof.nodes) {
    const us = dt.get(node.id) ?? 0
    total += us
    const key = profileGroup(node.callFrame)
    groups.set(key, (groups.get(key) ?? 0) + us)
  }
  const rows = [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)
  // The busiest functions of JavaScript code (not Node's own), by self time.
  const fns = new Map()
  for (const node of prof.nodes) {
    const { url, functionName, lineNumber } = node.callFrame
    if (!url || url.startsWith('node:')) continue
    const key = `${functionName || '(anonymous)'} (${path.basename(url)}:${lineNumber + 1})`
    fns.set(key, (fns.get(key) ?? 0) + (dt.get(node.id) ?? 0))
  }
  const functions = [...fns]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000 }))
  return { totalMs: total / 1000, rows: rows.map(([name, us]) => ({ name, ms: us / 1000 })), functions }
}

function profileGroup({ url, functionName }) {
  if (!url) {
    if (functionName === '(idle)') return '(idle: waiting on I/O)'
    if (functionName === '(garbage collector)') return '(garbage collector)'
    if (functionName === '(program)') return '(V8 and Node native: compiling, loading)'
    return `(native: ${functionName || 'anonymous'})`
  }
  if (url.startsWith('node:')) return 'Node internals (node:*)'
  const pkg = packageOf(url)
  if (pkg) return pkg
  const rel = url.replace(`${pathToFileURL(root).href}/`, '')
  if (rel === 'dist/index.js' || /^dist\/chunk-/.test(rel)) return 'orgctl bundle (@oclif/core and orgctl)'
  return rel.startsWith('dist/') || rel.startsWith('bin/') ? `orgctl ${rel.split('/')[0]}/` : rel
}

function packageOf(file) {
  const at = file.lastIndexOf('/node_modules/')
  if (at < 0) return undefined
  const [scope, name] = file.slice(at + '/node_modules/'.length).split('/')
  return scope.startsWith('@') ? `${scope}/${name}` : scope
}

/** `node --cpu-prof` of one process (`args` after node), summarised. */
export function profileRun(args, env, top = 6) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orgctl-prof-'))
  try {
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], {
      env,
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`profiled run exited ${r.status}: ${r.stderr}`)
    return summarizeCpuProfile(
      path.join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
      ),
      top,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The modules one orgctl run loads (test/startup/trace-modules.mjs), grouped by package, largest first. */
export function loadedModules(cliArgs, env, top = 5) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orgctl-trace-'))
  const out = path.join(dir, 'modules.txt')
  try {
    spawnSync(
      process.execPath,
      ['--import', path.join(root, 'test/startup/trace-modules.mjs'), cli, ...cliArgs],
      {
        env: { ...env, ORGCTL_TRACE_MODULES: out },
      },
    )
    const files = new Set(
      (existsSync(out) ? readFileSync(out, 'utf8') : '')
        .split('\n')
        .filter((f) => f.startsWith('file:') || f.startsWith('/'))
        .map((f) => (f.startsWith('file:') ? fileURLToPath(f) : f)),
    )
    const groups = new Map()
    let bytes = 0
    for (const file of files) {
      const size = existsSync(file) ? statSync(file).size : 0
      bytes += size
      const rel = path.relative(root, file)
      const name =
        packageOf(file) ?? (rel.startsWith('dist/') ? 'orgctl dist/ (bundle, chunks, server)' : rel)
      const g = groups.get(name) ?? { name, files: 0, bytes: 0 }
      g.files++
      g.bytes += size
      groups.set(name, g)
    }
    const rows = [...groups.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top)
    return { files: files.size, kib: bytes / 1024, rows: rows.map((r) => ({ ...r, kib: r.bytes / 1024 })) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
