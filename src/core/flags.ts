import { Flags } from '@oclif/core'

/** Output formats; `json` is the same as oclif's `--json`. */
export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** Default per-attempt timeout in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30

const GLOBAL = 'GLOBAL'

/** Flags every command takes (DESIGN.md "The command line"), defined once. */
export const sharedFlags = {
  profile: Flags.string({
    description: 'Saved profile to use (default: ORGCTL_PROFILE or the active one)',
    helpGroup: GLOBAL,
  }),
  'api-url': Flags.string({
    description: 'API base URL (default: ORGCTL_API_URL, the profile, else the local sandbox)',
    helpGroup: GLOBAL,
  }),
  output: Flags.option({
    options: OUTPUT_FORMATS,
    char: 'o',
    description: 'Output format',
    helpGroup: GLOBAL,
  })(),
  csv: Flags.boolean({ description: 'Same as --output csv', helpGroup: GLOBAL }),
  'csv-raw': Flags.boolean({
    description:
      'CSV cells exactly as they are in --csv and --report files: no neutralising of cells that start with = + - @',
    helpGroup: GLOBAL,
  }),
  jq: Flags.string({
    description: 'Filter the JSON result with a jq expression (implies --json; strings print without quotes)',
    helpGroup: GLOBAL,
  }),
  columns: Flags.string({
    description: 'Comma-separated columns to show, in order (table and csv)',
    helpGroup: GLOBAL,
  }),
  header: Flags.boolean({
    allowNo: true,
    default: true,
    description: 'Print the header row (--no-header to omit it)',
    helpGroup: GLOBAL,
  }),
  debug: Flags.boolean({ description: 'Trace HTTP requests on stderr (tokens redacted)', helpGroup: GLOBAL }),
  timeout: Flags.custom<number>({
    description: `Seconds to wait for each attempt of a request (default ${DEFAULT_TIMEOUT_SECONDS})`,
    helpGroup: GLOBAL,
    async parse(input) {
      const n = Number(input)
      if (!Number.isFinite(n) || n <= 0)
        throw new Error(`--timeout must be a positive number of seconds, got "${input}"`)
      return n
    },
  })(),
  color: Flags.boolean({
    allowNo: true,
    default: true,
    description: 'Colour on a terminal (--no-color to turn off)',
    helpGroup: GLOBAL,
  }),
}

/** Confirmation flag for destructive or costly commands. */
export const yesFlag = Flags.boolean({
  char: 'y',
  description: 'Do it without asking (required without a terminal)',
})
