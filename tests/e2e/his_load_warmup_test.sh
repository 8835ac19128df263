#!/bin/sh
# his_load --warmup against its in-process fake server: the calls due in the warm-up are left out
# of the figures, and a run that ends inside its warm-up fails and says so. Counts of slots, not
# times: at --rate 2000 a second holds 2,000 slots however slow the machine.
set -eu
load=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$load" --fake-server --mode settle --visits 5000 -c 8 --rate 2000 --warmup 1 --duration 1 --quiet \
  > "$tmp/out" 2>&1
measured=$(awk '/^  2207 from intended send/ {print $5}' "$tmp/out")
# 1 s measured at 2,000/s: about 2,000 calls. With the warm-up's it would be about 4,000.
if [ -z "$measured" ] || [ "$measured" -lt 1000 ] || [ "$measured" -gt 3000 ]; then
  echo "2207s measured after a 1 s warm-up: '$measured', want about 2000"
  cat "$tmp/out"
  exit 1
fi
grep -q '^warm-up: 1.0 s, not measured' "$tmp/out"

if "$load" --fake-server --mode settle --visits 200 -c 8 --rate 2000 --warmup 1 --duration 1 \
  --quiet > "$tmp/short" 2>&1; then
  echo "a run that ended inside its warm-up succeeded"
  cat "$tmp/short"
  exit 1
fi
grep -q 'ended inside its 1.0 s warm-up' "$tmp/short"
echo "ok: $measured calls measured after the warm-up"
