#!/usr/bin/env bash
# The README's main job end to end: `yibao serve` on the sample region with a fresh SQLite ledger,
# then scripts/curl-demo.sh walks a visit through 9001 → 1101 → 2201 → 2203 → 2204 → 2206 → 2207 →
# 5203 with curl. Then the server is stopped with SIGTERM and started again on the same ledger: the
# settlement is still there (5203 through the admin API's view of the journal) and the register is
# not seeded twice.
#   serve_test.sh <yibao binary> <source dir>
set -euo pipefail
yibao=$1
src=$2
cd "$src"
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

start() {
  rm -f "$work/port"
  "$yibao" serve --region regions/qinglan --ledger "sqlite:$work/ledger.db" --port 0 \
    --port-file "$work/port" --admin-token test-token --quiet >"$work/serve.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "FAIL: server did not start"; cat "$work/serve.out"; exit 1; }
  port=$(cat "$work/port")
}

start
grep -q "seeded 24 persons" "$work/serve.out" || { echo "FAIL: no seeding line"; cat "$work/serve.out"; exit 1; }
scripts/curl-demo.sh "http://127.0.0.1:$port" >"$work/demo.out" 2>"$work/demo.err" ||
  { echo "FAIL: curl-demo"; cat "$work/demo.err"; exit 1; }
grep -q "── 2207  {\"infcode\":0" "$work/demo.err" || { echo "FAIL: no settlement"; cat "$work/demo.err"; exit 1; }
setl_id=$(sed -n 's/^settled .* as //p' "$work/demo.err")
echo "ok   README walk-through settled $setl_id"

# /metrics shows the ledger's group commit: the walk-through's writes, in at least one commit.
metrics=$(curl -sS "http://127.0.0.1:$port/metrics")
writes=$(sed -n 's/^yibao_ledger_writes_total //p' <<<"$metrics")
commits=$(sed -n 's/^yibao_ledger_commits_total //p' <<<"$metrics")
{ [ -n "$writes" ] && [ "$writes" -gt 0 ] && [ -n "$commits" ] && [ "$commits" -gt 0 ] &&
  [ "$commits" -le "$writes" ] && grep -q '^yibao_ledger_commit_seconds_total [0-9]*\.[0-9]\{6\}$' <<<"$metrics"; } ||
  { echo "FAIL: /metrics lacks the ledger's writes and commits"; echo "$metrics" | grep ledger; exit 1; }
echo "ok   /metrics: $writes ledger writes in $commits commits"
# …and the read cache (on by default) answered some of the walk-through's reads.
hits=$(sed -n 's/^yibao_ledger_cache_reads_total{result="hit"} //p' <<<"$metrics")
misses=$(sed -n 's/^yibao_ledger_cache_reads_total{result="miss"} //p' <<<"$metrics")
{ [ -n "$hits" ] && [ "$hits" -gt 0 ] && [ -n "$misses" ]; } ||
  { echo "FAIL: /metrics shows no read-cache hits"; echo "$metrics" | grep cache; exit 1; }
echo "ok   /metrics: read cache $hits hits, $misses misses"

balance() {
  curl -sS -H "Authorization: Bearer test-token" "http://127.0.0.1:$port/admin/accounts/hospital:H37990000012" | jq -r .balance
}
before=$(balance)
kill -TERM "$pid"; wait "$pid" || true
start
grep -q "seeded" "$work/serve.out" && { echo "FAIL: seeded twice"; exit 1; }
after=$(balance)
[ "$before" = "$after" ] || { echo "FAIL: hospital balance $before before restart, $after after"; exit 1; }
[ "$(curl -sS -H "Authorization: Bearer test-token" "http://127.0.0.1:$port/admin/journal/sum" | jq -r .balanced)" = "true" ] ||
  { echo "FAIL: journal does not sum to zero"; exit 1; }
echo "ok   restart keeps the settlement (hospital:H37990000012 = $after) and the journal sums to zero"
kill -TERM "$pid"; wait "$pid" || true
