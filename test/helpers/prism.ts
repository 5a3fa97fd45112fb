import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** The contract every proxy checks against, unless a test passes another. */
export const SPEC_PATH = resolve(import.meta.dirname, '../../api/openapi.yaml')

// A devDependency (package.json); run with this Node so that the test needs nothing on PATH.
const PRISM = resolve(import.meta.dirname, '../../node_modules/@stoplight/prism-cli/dist/index.js')

/** One finding of prism's validator, as its `sl-violations` header lists them. */
export interface Violation {
  location: string[]
  severity: string
  code: string | number
  message: string
}

/** A Stoplight prism proxy on 127.0.0.1 in front of an upstream server. */
export interface PrismProxy {
  /** Where to send requests instead of the upstream. */
  url: string
  /** What prism found wrong with one exchange, split by side (read from its `sl-violations` header). */
  violations(headers: Headers): { request: Violation[]; response: Violation[] }
  /** Everything prism printed so far (for failure messages). */
  log(): string
  close(): Promise<void>
}

/**
 * Starts `prism proxy SPEC UPSTREAM` as a real process on a free loopback port. Without `--errors`
 * prism forwards every request and passes the upstream's answer through unchanged, adding an
 * `sl-violations` header that lists where the request or the response departs from the spec; so a
 * test sees both the sandbox's own answer and the third-party verdict on it.
 */
export async function startPrismProxy(upstream: string, spec = SPEC_PATH): Promise<PrismProxy> {
  if (!existsSync(PRISM))
    throw new Error(`@stoplight/prism-cli is not installed (${PRISM}); run npm ci, it is a devDependency`)
  const child = spawn(
    process.execPath,
    [PRISM, 'proxy', '--host', '127.0.0.1', '--port', '0', spec, upstream],
    {
      // No colour codes in the log we parse; no install analytics (prism ships a scarf hook).
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', SCARF_ANALYTICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`prism did not start within 90 s:\n${output}`)), 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        ready(match[1]!)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('error', (error) => {
      clearTimeout(timer)
      fail(error)
    })
    void exited.then((code) => {
      clearTimeout(timer)
      fail(new Error(`prism exited (code ${code}) before listening:\n${output}`))
    })
  })

  return {
    url,
    violations(headers) {
      const raw = headers.get('sl-violations')
      const all = raw ? (JSON.parse(raw) as Violation[]) : []
      return {
        request: all.filter((v) => v.location[0] === 'request'),
        response: all.filter((v) => v.location[0] !== 'request'),
      }
    },
    log: () => output,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
