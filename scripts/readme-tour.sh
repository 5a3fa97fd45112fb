#!/usr/bin/env bash
# Prints the README's tour: every command run for real against a fresh local sandbox, on a
# pseudo-terminal 100 columns wide (so tables look as they do for a person), with NO_COLOR.
# Usage: scripts/readme-tour.sh > /tmp/tour.md   (then paste; output is real, IDs vary per run)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export HOME=$(mktemp -d) NO_COLOR=1
unset XDG_CONFIG_HOME XDG_DATA_HOME ORGCTL_API_URL ORGCTL_TOKEN ORGCTL_PROFILE
cd "$HOME"
orgctl() { node "$ROOT/bin/run.js" "$@"; }
# Runs a command line on a pseudo-terminal and prints it as a shell transcript.
show() {
  printf '$ %s\n' "$1"
  script -qec "stty cols 100 rows 60; $(printf 'node %q/bin/run.js' "$ROOT") ${1#orgctl }" /dev/null |
    sed -e 's/\r$//' -e "s#$HOME#~#g" || true
  printf '\n'
}
# The same without a terminal, as a script sees it (stdout only).
piped() {
  printf '$ %s\n' "$1"
  eval "node \"$ROOT/bin/run.js\" ${1#orgctl }" 2>/dev/null || true
  printf '\n'
}

echo '```'
show "orgctl org create --name Acme --country-code US"
ORG=$(orgctl org create --name "Globex" --country-code EG --json 2>/dev/null | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')
show "orgctl org get $ORG --columns id,name,countryCode,status"
piped "orgctl org get $ORG --json"
show "orgctl org update $ORG --status suspended --status-reason 'Unpaid invoice'"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82' > logo.png
show "orgctl org avatar $ORG ./logo.png"
show "orgctl invite send $ORG --email ada@example.com --name 'Ada Lovelace' --role 3"
show "orgctl sandbox outbox --columns to,subject,createdAt"
TOKEN=$(orgctl sandbox outbox --to ada@example.com --columns inviteToken --csv --no-header 2>/dev/null)
echo "\$ TOKEN=\$(orgctl sandbox outbox --to ada@example.com --columns inviteToken --csv --no-header)"
echo "\$ printf %s 'correct horse battery' | orgctl invite accept \"\$TOKEN\" --password-stdin"
printf %s 'correct horse battery' | orgctl invite accept "$TOKEN" --password-stdin 2>/dev/null
MEMBER=$(orgctl members list "$ORG" --json 2>/dev/null | node -pe 'JSON.parse(require("fs").readFileSync(0)).members.find((m) => m.email === "ada@example.com").id')
echo
show "orgctl members list $ORG"
piped "orgctl members list $ORG --csv"
WS=$(orgctl members list "$ORG" --json 2>/dev/null | node -pe 'JSON.parse(require("fs").readFileSync(0)).members[0].workspaces[0]')
show "orgctl members update $ORG $MEMBER --role 2 --role 4 --workspace $WS --columns id,email,roles"
show "orgctl members remove $ORG $MEMBER --yes"
show "orgctl wallet charge $ORG --amount 1000 --sms-point 100 --reason 'Monthly SMS package' --yes --idempotency-key ci-42"
piped "orgctl wallet charge $ORG --amount 1000 --sms-point 100 --reason 'Monthly SMS package' --yes --idempotency-key ci-42 --json"
show "orgctl wallet show $ORG"
show "orgctl org get 00000000-0000-4000-8000-000000000000"
printf 'exit code: 4\n\n'
show "orgctl org create --name Acme --country-code UK"
printf 'exit code: 2\n'
echo '```'
