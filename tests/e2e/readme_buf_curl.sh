#!/usr/bin/env bash
# Runs every `$BUF curl` example of README.md (between the examples:begin
# and examples:end markers) against the real budget, KPI and subsidy servers on free
# ports, so the README cannot rot. Each must exit 0 and print JSON; a few answers
# are checked. Usage: readme_buf_curl.sh BUILD_DIR
set -euo pipefail
BUILD_DIR="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUF="$BUILD_DIR/tools/node_modules/.bin/buf"
[ -x "$BUF" ] || { echo "buf not installed at $BUF (run ./tests/run)"; exit 1; }
export BUF

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME ARGS...: starts a server on a free port; sets $port.
start() {
  local name="$1"; shift
  "$@" --listen=127.0.0.1:0 >"$work/$name.out" 2>"$work/$name.log" &
  pids+=("$!")
  for _ in $(seq 1 100); do
    grep -q '^LISTENING ' "$work/$name.out" && break
    sleep 0.1
  done
  port="$(sed -n 's/^LISTENING //p' "$work/$name.out")"
  [ -n "$port" ] || { cat "$work/$name.log" >&2; return 1; }
}

# A redis-server of its own on a free port: the examples run with the cache.
redis_port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    redis_port="$candidate"
    break
  fi
done
[ -n "$redis_port" ] || { echo "no free port for redis"; exit 1; }
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  >"$work/redis.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 50); do
  redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break
  sleep 0.1
done
export SHIEN_REDIS="127.0.0.1:$redis_port" SHIEN_CACHE_PREFIX="readme-$$"

# The development tokens ./deploy/local/run makes; the examples use them.
source "$ROOT/deploy/lib/common.sh"
shien_dev_tokens "$work/auth"
export SHIEN_AUTH_TOKENS="$work/auth/tokens"
export SHIEN_SERVICE_TOKEN_FILE="$work/auth/service.token"
source "$work/auth/dev-tokens.env"

start budget "$BUILD_DIR/services/budget/shien_budget_server" \
  --db="$work/budget.db" --plan_dir="$ROOT/data"
budget_port="$port"
start kpi "$BUILD_DIR/services/kpi/shien_kpi_server" \
  --db="$work/kpi.db" --data_dir="$ROOT/data" \
  --budget_address="127.0.0.1:$budget_port"
kpi_port="$port"
start subsidy "$BUILD_DIR/services/subsidy/shien_subsidy_server" \
  --db="$work/subsidy.db" --data_dir="$ROOT/data" \
  --budget_address="127.0.0.1:$budget_port" \
  --kpi_address="127.0.0.1:$kpi_port"
subsidy_port="$port"

# Joins backslash-continued lines, keeps the `$BUF curl` commands.
awk '/<!-- examples:begin -->/{on=1; next} /<!-- examples:end -->/{on=0}
     on { line = line $0; if (sub(/\\$/, "", line)) next; print line; line = "" }' \
  "$ROOT/README.md" | grep -E '^\s*\$BUF curl' >"$work/examples" || true
count="$(wc -l <"$work/examples")"
[ "$count" -ge 3 ] || { echo "expected README examples, found $count"; exit 1; }

n=0
while IFS= read -r cmd; do
  n=$((n + 1))
  cmd="${cmd//127.0.0.1:50051/127.0.0.1:$budget_port}"
  cmd="${cmd//127.0.0.1:50052/127.0.0.1:$kpi_port}"
  cmd="${cmd//127.0.0.1:50053/127.0.0.1:$subsidy_port}"
  echo "== example $n: $cmd"
  if ! out="$(eval "$cmd" 2>&1)"; then echo "$out"; echo "FAILED"; exit 1; fi
  head -5 <<<"$out"
  case "$out" in \{*) ;; *) echo "not JSON"; exit 1 ;; esac
  echo "$out" >"$work/answer.$n"
done <"$work/examples"

# The summary example reproduces the plan's total.
grep -l '"totalYen": "1337734000"' "$work"/answer.* >/dev/null \
  || { echo "no example showed the FY2026 total 1,337,734千円"; exit 1; }
# The progress example reproduces the plan's 166.3% (program 9, FY2025).
grep -l '"progressPermille": "1663"' "$work"/answer.* >/dev/null \
  || { echo "no example showed program 9's 166.3%"; exit 1; }
# The walkthrough ends with the application paid.
grep -l '"state": "APPLICATION_STATE_PAID"' "$work"/answer.* >/dev/null \
  || { echo "the subsidy walkthrough did not reach APPLICATION_STATE_PAID"; exit 1; }
# The examples' writes reached the audit trail under their principals.
grep -l '"principal": "dev-reporter"' "$work"/answer.* >/dev/null \
  || { echo "the audit example did not show the reporter's write"; exit 1; }
# The token is required: the first example without it is refused.
first="$(head -1 "$work/examples" | sed 's/-H "authorization: Bearer [^"]*"//')"
first="${first//127.0.0.1:50051/127.0.0.1:$budget_port}"
if out="$(eval "$first" 2>&1)"; then
  echo "a call without a token was answered: $out"; exit 1
fi
grep -q unauthenticated <<<"$out" \
  || { echo "a call without a token was not UNAUTHENTICATED: $out"; exit 1; }
# The cache was used: the servers reached Redis.
[ "$(redis-cli -p "$redis_port" DBSIZE)" -gt 0 ] \
  || { echo "nothing was cached in redis"; exit 1; }
echo "all $n README examples ran"
