#!/usr/bin/env bash
# End-to-end checks of the yibao command line, as a user runs it (README).
#   cli_test.sh <yibao binary> <source dir>
# UPDATE_GOLDEN=1 rewrites tests/golden/cli/* from the current output (review the diff before committing).
set -uo pipefail
yibao=$1
src=$2
cd "$src" || exit 2
fail=0
check() {  # name, expected exit code, command...
  local name=$1 want=$2
  shift 2
  "$@" >/tmp/yibao-cli.out 2>/tmp/yibao-cli.err
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; cat /tmp/yibao-cli.err; fail=1
  else
    echo "ok   $name"
  fi
}
golden() {  # name, file
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp /tmp/yibao-cli.out "$2"; echo "updated $2"; return; fi
  if ! diff -u "$2" /tmp/yibao-cli.out >/tmp/yibao-cli.diff; then
    echo "FAIL $1: output differs from $2"; head -40 /tmp/yibao-cli.diff; fail=1
  fi
}
contains() {  # name, file, text
  if ! grep -qF -- "$3" "$2"; then echo "FAIL $1: $2 lacks: $3"; cat "$2" | head -20; fail=1; fi
}

check "region check" 0 "$yibao" region check regions/qinglan
check "policy check (sample region)" 0 "$yibao" policy check regions/qinglan/policies --region regions/qinglan
check "policy check (golden policies)" 0 "$yibao" policy check tests/golden/settle/policies

# The main job: settle the sample region's visits in order; bills are golden (deterministic to the byte).
check "settle sample visits (json)" 0 "$yibao" settle --region regions/qinglan --format json regions/qinglan/visits/*.json
golden "sample bills" tests/golden/cli/qinglan-bills.jsonl
check "settle sample visits (table)" 0 "$yibao" settle --region regions/qinglan --format table regions/qinglan/visits/*.json
contains "slip shows the trace" /tmp/yibao-cli.out "计算过程 (setl_proc_info)"

# Reference codes: ICD 医保版 2.0 with 灰码 and the 1.0 / 国临 crosswalks.
check "code lookup" 0 "$yibao" code K80.101 A15.300 51.2300 A18.800x041
contains "gray code flagged" /tmp/yibao-cli.out "A15.300  ICD-10 医保版2.0 诊断  肺结核，经证实的  [灰码"
contains "1.0 code mapped" /tmp/yibao-cli.out "A18.300x016  ICD-10 医保版2.0 诊断  腹膜后结核 (via yb-1.0 crosswalk from A18.800x041)"
check "unknown code" 1 "$yibao" code Z99.999

# Bad input: precise messages, non-zero exit, nothing settled.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/"XJ01CAB007A002010101373"/"XJ01CAB007A002019999999"/' regions/qinglan/visits/01-employee-outpatient-community.json >"$tmp/bad-code.json"
check "unknown catalogue code" 1 "$yibao" settle --region regions/qinglan --format json "$tmp/bad-code.json"
contains "error names the field" /tmp/yibao-cli.out '"infcode":-1,"err_msg":"fee_details[1].med_list_codg: \"XJ01CAB007A002019999999\" is not in the catalogue'
sed 's/"cnt": 24/"cnt": -24/' regions/qinglan/visits/01-employee-outpatient-community.json >"$tmp/bad-cnt.json"
check "negative quantity" 1 "$yibao" settle --region regions/qinglan --format json "$tmp/bad-cnt.json"
contains "error names cnt" /tmp/yibao-cli.out 'fee_details[1].cnt'
printf '{"insutype": "310", "med_type": ' >"$tmp/truncated.json"
check "truncated JSON" 1 "$yibao" settle --region regions/qinglan --format json "$tmp/truncated.json"
contains "malformed JSON reported" /tmp/yibao-cli.out '"infcode":-1'

cp tests/golden/settle/policies/a7-resident.toml "$tmp/overlap.toml"
sed -i 's/{ upto = 30000, ratio = "85%" }/{ from = 9000, upto = 30000, ratio = "85%" }/' "$tmp/overlap.toml"
check "overlapping bands rejected" 1 "$yibao" policy check "$tmp/overlap.toml"
contains "names file, line and field" /tmp/yibao-cli.err "$tmp/overlap.toml:38: tier.inpatient.basic.ratio[0].bands[1].from: band overlaps the previous one"

# yibao group: the hand-checked DRG cases, one result per case; a broken case file names its line.
check "group golden cases" 0 "$yibao" group tests/golden/drg/cases.jsonl --format json --no-trace
if [ "$(grep -c '"drg"' /tmp/yibao-cli.out)" != "$(grep -c '^{' tests/golden/drg/cases.jsonl)" ]; then
  echo "FAIL group golden cases: not one result per case"; fail=1
fi
contains "group golden cases" /tmp/yibao-cli.out '"drg":"BR15"'
printf '{"id":"x","sex":1,"age":"old"}\n' >"$tmp/bad-cases.jsonl"
check "group bad case" 1 "$yibao" group "$tmp/bad-cases.jsonl"
contains "group bad case names the line" /tmp/yibao-cli.err "bad-cases.jsonl:1"

exit $fail
