import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, type Stats } from 'node:fs'

/*
 * orgctl's local state (the profile file, the sandbox data, bulk journals, the stdin spool, reports) is
 * the user's alone: folders 0700, files 0600, whatever the umask, and tightened when an older version or
 * a stray chmod left them looser (SECURITY.md "Local state"). Only folders orgctl owns by name are
 * tightened: a folder the user points at (ORGCTL_SANDBOX_DB=/tmp/x/sandbox.db) is created 0700 when
 * missing, never chmod-ed.
 */

const uid = (): number | undefined => process.getuid?.()

/** Whether `st` belongs to someone else (never on platforms without uids). */
export function ownedByOther(st: Stats): boolean {
  const me = uid()
  return me !== undefined && st.uid !== me
}

/** `0644` for messages. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}

/**
 * Makes `dir` (and any missing parent) with mode 0700, and tightens `dir` to 0700 when it already existed
 * with group or other bits and belongs to this user. Returns its status after.
 */
export function privateDirSync(dir: string): Stats {
  // mkdir's mode is filtered by the umask, which can only remove bits: 0700 stays 0700 even under 000.
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = lstatSync(dir)
  if (st.isDirectory() && (st.mode & 0o077) !== 0 && !ownedByOther(st)) {
    chmodSync(dir, 0o700)
    return lstatSync(dir)
  }
  return st
}

/**
 * Tightens an existing file of this user to 0600 when it has group or other bits; creates it empty (0600)
 * when `create` and missing. Returns its status, or undefined when it does not exist.
 */
export function privateFileSync(path: string, options: { create?: boolean } = {}): Stats | undefined {
  let st: Stats
  try {
    st = lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    if (!options.create) return undefined
    closeSync(openSync(path, 'a', 0o600))
    st = lstatSync(path)
  }
  if (st.isFile() && (st.mode & 0o077) !== 0 && !ownedByOther(st)) {
    chmodSync(path, 0o600)
    return lstatSync(path)
  }
  return st
}
