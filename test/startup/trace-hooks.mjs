// Module hooks for trace-modules.mjs on Node.js without module.registerHooks (they run on the loader's own
// thread).
import { appendFileSync } from 'node:fs'

let out

export function initialize(data) {
  out = data.out
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${url}\n`)
  return nextLoad(url, context)
}
