// Runs one OS keyring operation and exits: the process that src/core/keyring.ts starts and kills when
// it takes too long. It is a process of its own because @napi-rs/keyring blocks the calling thread
// inside native code (on Linux its Entry constructor already opens the D-Bus connection, and a bus
// that accepts the connection but never answers blocks it for good), and neither an AbortSignal nor a
// worker thread can stop that: a stuck worker also keeps the process from exiting. A child can be
// killed. The request (with the secret, for `set`) comes on stdin, never in argv or the environment;
// the answer is one JSON line on stdout.
import { readFileSync } from 'node:fs'

import { Entry } from '@napi-rs/keyring'

/** What the parent sends. */
export interface KeyringRequest {
  op: 'get' | 'set' | 'delete'
  service: string
  account: string
  secret?: string
}

/** What the child answers. */
export type KeyringAnswer = { ok: true; value: string | boolean | null } | { ok: false; message: string }

function run(request: KeyringRequest): KeyringAnswer {
  // Pinned to the Secret Service on Linux: the binding would otherwise fall back to the kernel keyring,
  // which forgets everything at reboot or logout, a silent change of where the token lives.
  const entry = new Entry(request.service, request.account, { linux: { store: 'secret-service' } })
  if (request.op === 'get') return { ok: true, value: entry.getPassword() }
  if (request.op === 'delete') return { ok: true, value: entry.deleteCredential() }
  entry.setPassword(request.secret ?? '')
  return { ok: true, value: true }
}

let answer: KeyringAnswer
try {
  answer = run(JSON.parse(readFileSync(0, 'utf8')) as KeyringRequest)
} catch (error) {
  answer = { ok: false, message: error instanceof Error ? error.message : String(error) }
}
process.stdout.write(`${JSON.stringify(answer)}\n`)
