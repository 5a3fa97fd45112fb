// jq-web ships no types: the parts orgctl uses (see src/core/jq.ts).
declare module 'jq-web' {
  export interface JqModule {
    /** Runs jq on a JSON text with command-line flags; returns its stdout (undefined when empty). */
    raw(json: string, filter: string, flags?: string[]): string | undefined
  }
  const ready: Promise<JqModule>
  export default ready
}
