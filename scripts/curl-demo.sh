#!/usr/bin/env bash
# Walks through the national hospital interface against a running `yibao serve` with curl, as a
# hospital system (HIS) would: sign in (9001), look the patient up (1101), register an outpatient
# visit (2201), upload the visit's diagnosis (2203) and fees (2204, each line classified), pre-settle
# (2206, with what the 事中 review says), try to settle (2207: refused, the amoxicillin line breaks
# two refusing rules), cancel the fee batch (2205) and upload it corrected, settle (2207) and read
# the settlement back (5203). Prints each reply.
#
# Usage: scripts/curl-demo.sh [http://127.0.0.1:8080]   (needs curl and jq)
set -euo pipefail
base="${1:-http://127.0.0.1:8080}"
url="$base/fsi/api/rsfComIfsService/callService"
hosp=H37990000012        # 青岚市 sample: a community health centre
psn=37990000000000000001 # 张伟, employee (310) of the sample register
sign_no=""
seq=0

# call INFNO INPUT_JSON → prints the reply envelope; fails unless infcode is 0 (or, with
# expect=-1 set, unless it is -1).
call() {
  seq=$((seq + 1))
  local msgid="${hosp}$(date +%Y%m%d%H%M%S)$(printf %04d $seq)"
  local body
  body=$(jq -cn --arg infno "$1" --arg msgid "$msgid" --arg hosp "$hosp" --arg sign "$sign_no" \
    --argjson input "$2" \
    '{infno:$infno, msgid:$msgid, mdtrtarea_admvs:"379900", insuplc_admdvs:"379900",
      recer_sys_code:"yibao", infver:"V1.0", opter_type:"1", opter:"001", opter_name:"demo",
      inf_time:"", fixmedins_code:$hosp, fixmedins_name:"demo", sign_no:$sign, input:$input}')
  reply=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$body" "$url")
  echo "── $1  $(jq -c '{infcode, err_msg}' <<<"$reply")" >&2
  if [[ $(jq -r .infcode <<<"$reply") != "${expect:-0}" ]]; then
    echo "$reply" >&2
    return 1
  fi
}

call 9001 '{"signIn":{"opter_no":"001","mac":"","ip":"","credential":"demo-'$hosp'"}}'
sign_no=$(jq -r .output.signinoutb.sign_no <<<"$reply")

call 1101 '{"data":{"mdtrt_cert_type":"02","mdtrt_cert_no":"379900198206150037","psn_cert_type":"01"}}'
jq -c '.output | {name: .baseinfo.psn_name, age: .baseinfo.age, insurance: [.insuinfo[] | {insutype, psn_type, balc}]}' <<<"$reply"

# The sample region's policies are those of 2025 (regions/qinglan/policies), so the visit is dated then.
now="2025-06-02 09:30:00"
call 2201 '{"data":{"psn_no":"'$psn'","insutype":"310","begntime":"'"$now"'","mdtrt_cert_type":"02","mdtrt_cert_no":"379900198206150037","ipt_otp_no":"MZ'$RANDOM'","dept_code":"A03","dept_name":"内科","atddr_no":"D001","dr_name":"李医生","caty":"A03"}}'
mdtrt_id=$(jq -r .output.data.mdtrt_id <<<"$reply")

call 2203 '{"mdtrtinfo":{"mdtrt_id":"'$mdtrt_id'","psn_no":"'$psn'","med_type":"11","begntime":"'"$now"'","dise_codg":"J06.900","dise_name":"急性上呼吸道感染"},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"J06.900","diag_name":"急性上呼吸道感染"}]}'

line() { # batch sn code cnt pric sumamt prd_days
  echo '{"feedetl_sn":"'$2'","mdtrt_id":"'$mdtrt_id'","psn_no":"'$psn'","chrg_bchno":"'$1'","fee_ocur_time":"'"$now"'","med_list_codg":"'$3'","medins_list_codg":"HIS'$2'","cnt":"'$4'","pric":"'$5'","det_item_fee_sumamt":"'$6'","prd_days":"'$7'","bilg_dept_codg":"A03","bilg_dr_codg":"D001","hosp_appr_flag":"0"}'
}
# 24 capsules on one day at 0.10 元: above the sample knowledge base's daily maximum (8) and above
# the procurement price 0.08 with zero mark-up.
call 2204 '{"feedetail":['"$(line 1 1 001102000010000 1 10 10.00 0),$(line 1 2 XJ01CAB007A002010101373 24 0.10 2.40 0),$(line 1 3 002501010150000 1 20 20.00 0)"']}'
jq -c '.output.result[] | {feedetl_sn, med_list_name, chrgitm_lv, det_item_fee_sumamt, fulamt_ownpay_amt, preselfpay_amt, inscp_scp_amt}' <<<"$reply"

settle() { # medfee_sumamt
  echo '{"data":{"psn_no":"'$psn'","mdtrt_cert_type":"02","mdtrt_cert_no":"379900198206150037","med_type":"11","medfee_sumamt":"'$1'","psn_setlway":"01","mdtrt_id":"'$mdtrt_id'","chrg_bchno":"0000","insutype":"310","acct_used_flag":"1"}}'
}
call 2206 "$(settle 32.40)"
jq -c '.output.review_result[] | {rule_id, rule_name, vola_amt, sev_deg, jr_id}' <<<"$reply"
expect=-1 call 2207 "$(settle 32.40)"

# The HIS cancels the batch and uploads it again: a 3-day course (8 a day) at the procurement price.
call 2205 '{"data":{"mdtrt_id":"'$mdtrt_id'","chrg_bchno":"1","psn_no":"'$psn'"}}'
call 2204 '{"feedetail":['"$(line 2 4 001102000010000 1 10 10.00 0),$(line 2 5 XJ01CAB007A002010101373 24 0.08 1.92 3),$(line 2 6 002501010150000 1 20 20.00 0)"']}'
call 2207 "$(settle 31.92)"
jq -c '.output.setlinfo | {setl_id, medfee_sumamt, hifp_pay, fund_pay_sumamt, acct_pay, psn_cash_pay, balc}' <<<"$reply"
jq -r '.output.setlinfo.setl_proc_info' <<<"$reply"
setl_id=$(jq -r .output.setlinfo.setl_id <<<"$reply")

call 5203 '{"data":{"setl_id":"'$setl_id'","psn_no":"'$psn'","mdtrt_id":"'$mdtrt_id'"}}'
echo "settled $mdtrt_id as $setl_id" >&2
