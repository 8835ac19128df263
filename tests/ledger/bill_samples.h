// Bills shaped like the service's (interface/bill_json.h): the settlement's fields, fee lines from
// a small catalogue with Chinese names, the trace of the rules applied. Varied by a seeded
// generator, for the bill codec's tests and the ledger suite's.
#pragma once

#include <array>
#include <random>
#include <string>

#include <fmt/format.h>

namespace yibao::bill_samples {

inline std::string SampleBill(std::mt19937& rng, int n) {
  struct Item {
    const char* code;
    const char* name;
    const char* level;
  };
  static constexpr std::array<Item, 10> kItems = {{
      {"001204000010000", "肌肉注射", "01"},
      {"XA10BAG462A001010190618", "盐酸二甲双胍片(0.5g)", "01"},
      {"002501010150000", "血细胞分析(全血细胞计数+五分类)", "01"},
      {"C1005014160050131168", "一次性使用静脉留置针", "02"},
      {"XJ01CAB007A002010101373", "阿莫西林胶囊(0.25g)", "01"},
      {"003107010010000", "常规心电图检查", "01"},
      {"XC10AAA126A001010104209", "阿托伐他汀钙片(20mg)", "02"},
      {"002703010010000", "胸部正侧位X线摄影", "01"},
      {"001102000010000", "住院诊查费", "01"},
      {"XN02BEA002A001020100145", "布洛芬缓释胶囊(0.3g)", "03"},
  }};
  auto money = [&](int hi) { return fmt::format("{}.{:02d}", rng() % hi, rng() % 100); };
  std::string lines;
  const int count = 3 + int(rng() % 8);
  for (int i = 0; i < count; ++i) {
    const Item& it = kItems[rng() % kItems.size()];
    lines += fmt::format(
        "{}{{\"feedetl_sn\":\"{}\",\"med_list_codg\":\"{}\",\"med_list_name\":\"{}\","
        "\"chrgitm_lv\":\"{}\",\"det_item_fee_sumamt\":{},\"fulamt_ownpay_amt\":0.00,"
        "\"overlmt_amt\":0.00,\"preselfpay_amt\":{},\"inscp_scp_amt\":{},\"selfpay_prop\":\"{}%\","
        "\"memo\":\"\"}}",
        i ? "," : "", i + 1, it.code, it.name, it.level, money(300), money(5), money(300),
        it.level[1] == '1' ? 0 : 10);
  }
  const std::string total = money(2000), paid = money(1000);
  return fmt::format(
      "{{\"setlinfo\":{{\"setl_id\":\"H3799000000120261124{:010d}\",\"mdtrt_id\":"
      "\"H3799000000120261124{:010d}\",\"psn_no\":\"379988{:014d}\",\"insutype\":\"310\","
      "\"med_type\":\"11\",\"medfee_sumamt\":{},\"fund_pay_sumamt\":{},\"psn_cash_pay\":{},"
      "\"setl_proc_info\":\"待遇: 青岚市职工基本医疗保险 普通门诊统筹 (政策 310 版本 2025.1)\\n"
      "门诊统筹: 年度起付线 600.00, 本年已付 {}, 本次起付 {} (规则 第131行)\\n"
      "门诊统筹: 支付 {}\\n个人负担 {} = 个人账户 0.00 + 现金 {}\"}},"
      "\"fee_details\":[{}],\"accumulators\":{{\"employee.outpatient.deductible\":{}}}}}",
      n, n * 7 + int(rng() % 7), int(rng() % 100000), total, paid, total, money(600), money(600),
      paid, total, total, lines, money(600));
}

// The same bills with every Latin letter moved 13 places: as compressible in themselves, but little
// of them is in a dictionary trained on SampleBill's (a region's bills after a change of interface
// version, say).
inline std::string DriftedBill(std::mt19937& rng, int n) {
  std::string bill = SampleBill(rng, n);
  for (char& c : bill) {
    if (c >= 'a' && c <= 'z') c = char('a' + (c - 'a' + 13) % 26);
    if (c >= 'A' && c <= 'Z') c = char('A' + (c - 'A' + 13) % 26);
  }
  return bill;
}

}  // namespace yibao::bill_samples
