// Shared helpers for the benchmarks: timing whole processes, medians, and the report format.
// Benchmarks never assert; they measure and write docs/BENCHMARKS.md (see run.mjs).
import { spawn, spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

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
export function startServerProcess({ db, token, extraArgs = [], env = {} }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'server', 'start', '--port', '0', '--db', db, '--quiet', ...extraArgs],
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
