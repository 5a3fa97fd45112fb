import type { JqModule } from 'jq-web'

import { CliError, ExitCode, UsageError } from './errors.js'

/** A `--jq` filter, ready to apply to a command's JSON result. */
export type JqFilter = (value: unknown) => string

/** What jq-web throws: jq's exit status and its own stderr text. */
interface JqFailure {
  exitCode?: number
  stderr?: string
  message?: string
}

/** jq's compile errors exit 3 (its runtime errors exit 5). */
const COMPILE_ERROR = 3

/**
 * Loads jq (jq 1.7 compiled to WebAssembly, the `jq-web` package; about 60 ms, so only when `--jq` is
 * given) and checks the expression before anything is sent: a syntax error or an unknown function is
 * a usage error (exit 2) with jq's own message. The result is printed as `jq -r` prints it: each output
 * on its own line, JSON values indented, strings without quotes.
 */
export async function loadJq(filter: string): Promise<JqFilter> {
  // jq-web is CommonJS whose exports are a promise of the module: require() hands over exactly that,
  // whatever ESM interop a bundler or test runner applies to a dynamic import.
  const { createRequire } = await import('node:module')
  // jq is WebAssembly: V8 compiles it at once at the baseline tier and again, optimised, in the
  // background, and Node waits for that second compile before it exits, for a filter that runs in
  // microseconds either way. `--liftoff-only` keeps the first; it must be set before the compile. V8 calls
  // it a flag "for testing": test/startup/liftoff.test.ts fails on a Node line that stops taking it
  // silently; the gain is measured in docs/BENCHMARKS.md (bench/installed.mjs).
  ;(await import('node:v8')).setFlagsFromString('--liftoff-only')
  const jq = await (createRequire(import.meta.url)('jq-web') as Promise<JqModule>)
  const run = (json: string, program: string): string => {
    // jq-web leaves jq's exit status in process.exitCode and reports jq's stderr (e.g. `debug`) through
    // a styled console.warn; neither may leak into orgctl's own outcome and output.
    const exitCode = process.exitCode
    const warn = console.warn
    console.warn = (...args: unknown[]) => process.stderr.write(`${String(args.at(-1))}\n`)
    try {
      return jq.raw(json, program, ['-r']) ?? ''
    } finally {
      console.warn = warn
      process.exitCode = exitCode
    }
  }
  /**
   * jq's message for the expression as the person wrote it (the check above wraps it, which shifts its
   * line numbers). A program that does not compile cannot run, so this evaluates nothing.
   */
  function compileErrorOf(program: string): JqFailure | undefined {
    try {
      run('null', program)
    } catch (error) {
      if ((error as JqFailure).exitCode === COMPILE_ERROR) return error as JqFailure
    }
    return undefined
  }

  try {
    // Compiles the whole expression but never evaluates it: nothing runs before the command's result.
    run('null', `empty | (\n${filter}\n)`)
  } catch (error) {
    const e = error as JqFailure
    if (e.exitCode !== COMPILE_ERROR) throw error
    throw new UsageError(`--jq: ${jqMessage(compileErrorOf(filter) ?? e)}`)
  }
  // jq ends every output with a newline; jq-web drops the last one.
  const line = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`)
  return (value) => {
    try {
      return line(run(JSON.stringify(value), filter))
    } catch (error) {
      throw new CliError(
        `--jq: ${jqMessage(error as JqFailure)} (the command itself succeeded)`,
        ExitCode.Unexpected,
      )
    }
  }
}

function jqMessage(e: JqFailure): string {
  return (e.stderr ?? e.message ?? 'jq failed').replace(/\(at inputString:\d+\)/g, '(at the result)').trim()
}
