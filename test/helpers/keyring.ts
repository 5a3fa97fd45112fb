import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** A real Secret Service: gnome-keyring-daemon, unlocked, on a D-Bus session bus of its own. */
export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS of its bus, for the orgctl processes under test. */
  address: string
  /** Reads an entry with the binding itself, outside orgctl: null when there is none. */
  read(service: string, account: string): string | null
  /** Removes an entry outside orgctl (as a user would in Seahorse). */
  remove(service: string, account: string): void
  stop(): Promise<void>
}

/**
 * Starts `dbus-run-session` with gnome-keyring-daemon (Debian packages dbus and gnome-keyring, which
 * .ci/run installs) unlocked with a throwaway password, its keyring files in a temporary HOME of its
 * own (not the HOME of the orgctl processes, so that a test can grep every file of theirs). A missing
 * tool rejects, failing the tests that need it. The session lives until stop() closes its stdin.
 */
export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'orgctl-keyring-'))
  mkdirSync(join(home, '.cache'), { recursive: true })
  mkdirSync(join(home, 'runtime'), { recursive: true, mode: 0o700 })
  const script = [
    'printf %s throwaway-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3',
    // Ready once it owns the Secret Service name: a request before that would have D-Bus start a
    // second, locked daemon.
    'i=0',
    'until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\',
    '  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do',
    '  i=$((i + 1)); [ "$i" -gt 300 ] && { echo "no org.freedesktop.secrets on the bus" >&2; exit 4; }',
    '  sleep 0.1',
    'done',
    'printf "ADDRESS=%s\\n" "$DBUS_SESSION_BUS_ADDRESS"',
    // Holds the session open until the test closes our stdin; then dbus-run-session ends the bus,
    // and gnome-keyring-daemon, which watches it, exits too.
    'exec cat >/dev/null',
  ].join('\n')
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_RUNTIME_DIR: join(home, 'runtime'),
    },
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const address = await new Promise<string>((resolvePromise, reject) => {
    let stdout = ''
    child.on('error', (error) => reject(new Error(`cannot start dbus-run-session: ${error.message}`)))
    child.on('exit', (code) =>
      reject(new Error(`dbus-run-session exited (${code}) before the keyring was up: ${stderr}`)),
    )
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      const m = /^ADDRESS=(.+)$/m.exec(stdout)
      if (m) resolvePromise(m[1]!)
    })
  })
  const env = { PATH: process.env.PATH ?? '', DBUS_SESSION_BUS_ADDRESS: address }
  const binding = (op: 'get' | 'delete', service: string, account: string): string | null => {
    const code = `const { Entry } = require(${JSON.stringify(join(ROOT, 'node_modules/@napi-rs/keyring'))})
const e = new Entry(${JSON.stringify(service)}, ${JSON.stringify(account)}, { linux: { store: 'secret-service' } })
process.stdout.write(JSON.stringify(${op === 'get' ? 'e.getPassword()' : 'e.deleteCredential()'}))`
    const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8', timeout: 60_000 })
    if (r.status !== 0) throw new Error(`keyring ${op} failed: ${r.stderr}`)
    return JSON.parse(r.stdout) as string | null
  }
  return {
    address,
    read: (service, account) => binding('get', service, account),
    remove: (service, account) => void binding('delete', service, account),
    stop: () => stopSession(child, home),
  }
}

async function stopSession(child: ChildProcess, home: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.stdin!.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
  }
  rmSync(home, { recursive: true, force: true })
}

/**
 * A D-Bus address whose socket accepts connections and never answers: a keyring that hangs, as a
 * locked one waiting on an unlock prompt nobody can see does. Counts the connections it gets.
 */
export async function silentBus(): Promise<{
  address: string
  connections: () => number
  close(): Promise<void>
}> {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-silent-bus-'))
  const path = join(dir, 'bus')
  const sockets = new Set<Socket>()
  let count = 0
  const server: Server = createServer((socket) => {
    count++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((r) => server.listen(path, r))
  return {
    address: `unix:path=${path}`,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Every file under `dir` (recursively) whose bytes contain `secret`, and how many files were read. */
export function filesContaining(dir: string, secret: string): { hits: string[]; files: string[] } {
  const files: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const s = statSync(p)
      if (s.isDirectory()) walk(p)
      else if (s.isFile()) files.push(p)
    }
  }
  walk(dir)
  const needle = Buffer.from(secret)
  return { hits: files.filter((f) => readFileSync(f).includes(needle)), files }
}
