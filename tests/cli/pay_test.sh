#!/usr/bin/env bash
# `yibao pay` end to end on the sample region's synthetic payment data (regions/qinglan/payment):
# DRG and DIP, every report, CSV and JSON; outputs golden (tests/golden/payment/), spot-checked
# figures, bad input with precise messages.
#   pay_test.sh <yibao binary> <source dir>
# UPDATE_GOLDEN=1 rewrites tests/golden/payment/* from the current output (review the diff).
set -uo pipefail
yibao=$1
src=$2
cd "$src" || exit 2
fail=0
out=$(mktemp)
err=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$out" "$err" "$tmp"' EXIT
check() {  # name, expected exit code, command...
  local name=$1 want=$2
  shift 2
  "$@" >"$out" 2>"$err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; cat "$err"; fail=1
  else
    echo "ok   $name"
  fi
}
golden() {  # name, file
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$out" "$2"; echo "updated $2"; return; fi
  if ! diff -u "$2" "$out" >"$tmp/diff"; then
    echo "FAIL $1: output differs from $2"; head -40 "$tmp/diff"; fail=1
  fi
}
contains() {  # name, file, text
  if ! grep -qF -- "$3" "$2"; then echo "FAIL $1: $2 lacks: $3"; head -20 "$2"; fail=1; fi
}

p=regions/qinglan/payment
drg=(--drg-rule $p/drg-rule.toml --drg-table $p/drg-groups.csv)
dip=(--dip-rule $p/dip-rule.toml --dip-table $p/dip-scores.csv)
g=tests/golden/payment

for report in cases statements clearing indicators; do
  check "drg $report" 0 "$yibao" pay $p/cases-2024.csv "${drg[@]}" --scores $p/scores-2024.csv --report $report
  golden "drg $report" $g/drg-$report.csv
  check "dip $report" 0 "$yibao" pay $p/cases-2024.csv "${dip[@]}" --scores $p/scores-2024.csv --report $report --format json
  golden "dip $report" $g/dip-$report.jsonl
done

# Hand-checked figures (docs/formats/drg.md, dip.md):
# FR19 at 三级: 1.6 × 9600 × 1 = 15360.00; Q2411 75000 > 3 × 15360 is the one high outlier of
# H37990000001 kept by item (round(5% × 15 discharges) = 1; it ranks first: 75000 − 15360 = 59640
# against Q2408's 61000 − 12000 = 49000); Q2408 is paid the formula: 12000 − (61000 − 47500) < 0 → 0.
check "drg cases" 0 "$yibao" pay $p/cases-2024.csv "${drg[@]}"
contains "kept high outlier" "$out" "Q2411,H37990000001,3,2024-03-03,FR19,high_outlier,1.6,,15360.00,75000.00,58200.00,58200.00,0.00,"
contains "capped high outlier" "$out" "Q2408,H37990000001,3,2024-02-14,ES31,high_outlier_capped,1.25,,12000.00,61000.00,47500.00,0.00,-47500.00,"
# 二级 HC29: 1.1 × 9600 × 0.88 = 9292.80; 9292.80 − (9800 − 7500) = 6992.80.
contains "level coefficient" "$out" "Q2423,H37990000006,2,2024-01-30,HC29,normal,1.1,,9292.80,9800.00,7500.00,6992.80,-507.20,"
# H37990000002 clearing: deposits 358.80 + 541.20 + 364.44 = 1264.44; score 84 → band ≥ 80: 80%
# → 1011.55 released, 252.89 withheld; final = 42148 − 252.89 − 37933.20 − 1011.55 = 2950.36.
check "drg clearing" 0 "$yibao" pay $p/cases-2024.csv "${drg[@]}" --scores $p/scores-2024.csv --report clearing
contains "clearing balances" "$out" "H37990000002,2024,3,6,,42148.00,37933.20,1264.44,84,true,80%,1011.55,252.89,41895.11,2950.36"
# DIP: 330000 − 3% (9900) − by item 2100 = 318000 shared over 34267.4655 points.
check "dip summary" 0 "$yibao" pay $p/cases-2024.csv "${dip[@]}" --report clearing
contains "point value" "$err" "= 318000.00 shared over 34267.4655 points; point value 9.279939"
# JSON Lines cases read the same as CSV.
check "drg jsonl" 0 "$yibao" pay $p/cases-2024.csv "${drg[@]}" --format json
grep -v '^#' $p/cases-2024.csv | python3 -c '
import csv, json, sys
for r in csv.DictReader(sys.stdin):
    r["secondary_dx"] = [c for c in r["secondary_dx"].split(";") if c]
    r["procedures"] = [c for c in r["procedures"].split(";") if c]
    print(json.dumps(r, ensure_ascii=False))' >"$tmp/cases.jsonl"
cp "$out" "$tmp/from-csv.json"
check "drg from jsonl" 0 "$yibao" pay "$tmp/cases.jsonl" "${drg[@]}" --format json
if ! diff -q "$tmp/from-csv.json" "$out" >/dev/null; then echo "FAIL jsonl and csv differ"; fail=1; fi

# Bad input: the case is named by file, line and field; the others are still paid.
sed 's/^Q2405,H37990000001,3,2024-01-28/Q2405,H37990000001,3,2024-13-28/' $p/cases-2024.csv >"$tmp/bad.csv"
check "bad date" 1 "$yibao" pay "$tmp/bad.csv" "${drg[@]}"
contains "bad date named" "$err" "bad.csv:9: discharge_date: \"2024-13-28\" is not a date YYYY-MM-DD"
contains "others paid" "$err" "26 cases paid by DRG; 1 not read or not paid"
sed 's/^base_rate = "9600"/base_rate = 9600.5/' $p/drg-rule.toml >"$tmp/bad-rule.toml"
check "bad rule" 1 "$yibao" pay $p/cases-2024.csv --drg-rule "$tmp/bad-rule.toml" --drg-table $p/drg-groups.csv
contains "bad rule named" "$err" "bad-rule.toml:7: drg_payment.base_rate: bare TOML float refused"
check "no method" 105 "$yibao" pay $p/cases-2024.csv
check "dip year" 1 "$yibao" pay $p/cases-2024.csv --dip-rule <(sed 's/^year = 2024/year = 2025/' $p/dip-rule.toml) --dip-table $p/dip-scores.csv
contains "other year refused" "$err" "case Q2401: discharged 2024-01-05, outside the rule's year 2025"
exit $fail
