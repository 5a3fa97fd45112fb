import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

/*
 * orgctl in a real pseudo-terminal: tmux runs `node bin/run.js ...` in a detached session on a socket of
 * this test process's own, keys go in with send-keys and the screen comes back with capture-pane.
 * Waiting is always "poll the screen until it shows X, within a deadline", never a fixed sleep.
 */

const BIN = resolve(import.meta.dirname, '../../bin/run.js')
const SOCKET = `orgctl-test-${process.pid}`

/** Whether tmux can be run here; the pty tests fail when it cannot (.ci/run installs it). */
export const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0

// The tmux server starts with this environment (not the test runner's), so that nothing like an
// ORGCTL_* variable of the machine leaks into the commands under test.
const baseEnv = { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8' }

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', env: baseEnv })
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
let sessions = 0

/** One orgctl command running in its own tmux session. */
export class Terminal {
  private constructor(
    readonly name: string,
    readonly cols: number,
  ) {}

  /**
   * Starts `orgctl ...args` with `env` (HOME, target...) in a `cols`×`rows` terminal. The shell prints
   * `[exit:N]` when it ends and keeps the pane open so its last screen can still be read.
   */
  static start(args: string[], env: Record<string, string>, size = { cols: 120, rows: 50 }): Terminal {
    const name = `t${++sessions}`
    const command = `node ${[BIN, ...args].map(quote).join(' ')}; echo "[exit:$?]"; sleep 600`
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    tmux('new-session', '-d', '-s', name, '-x', String(size.cols), '-y', String(size.rows), ...vars, command)
    return new Terminal(name, size.cols)
  }

  /** The screen now (trailing blank lines dropped). */
  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.name).replace(/\s+$/, '')
  }

  /** Polls the screen until it matches, or fails with the last screen after `timeoutMs`. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = this.screen()
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${String(pattern)}; the screen was:\n${screen}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', text)
  }

  /** Presses keys by tmux name: Enter, Space, Down, C-c... */
  press(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys)
  }

  /** Waits for the command to end and returns its exit code. */
  async exitCode(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor(/\[exit:\d+\]/, timeoutMs)
    return Number(/\[exit:(\d+)\]/.exec(screen)![1])
  }

  close(): void {
    try {
      tmux('kill-session', '-t', this.name)
    } catch {
      // already gone
    }
  }
}

/** Ends this process's tmux server and every session left on it. */
export function killTmuxServer(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { env: baseEnv })
}
