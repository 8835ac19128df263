#include "settle/trace_text.h"

#include <fmt/format.h>

namespace yibao {
namespace {

std::string M(Money m) { return m.ToString(); }

}  // namespace

std::vector<std::string> RenderTrace(const Bill& bill, const Visit& visit) {
  std::vector<std::string> out;
  const Policy* policy = bill.policy;
  const Benefit* benefit = bill.benefit;
  auto tier_of = [&](const TraceStep& s) -> const Tier* {
    if (!benefit || s.tier < 0 || size_t(s.tier) >= benefit->tiers.size()) return nullptr;
    return &benefit->tiers[size_t(s.tier)];
  };
  for (const TraceStep& s : bill.trace) {
    const Tier* tier = tier_of(s);
    std::string_view tn = tier ? std::string_view(tier->name) : std::string_view();
    switch (s.kind) {
      case TraceKind::kBenefit:
        out.push_back(
            fmt::format("待遇: {} {} (政策 {} 版本 {}, {}:{}), 医疗类别 {}, 医院等级 {}, 人员类别 "
                        "{}, 就医地 {}",
                        policy ? policy->name : "", benefit ? benefit->name : "",
                        policy ? policy->insutype : "", policy ? policy->version : "",
                        policy ? policy->file : "", s.line, visit.med_type, visit.institution_level,
                        visit.person.psn_type, CrossRegionName(visit.cross)));
        break;
      case TraceKind::kTotals:
        out.push_back(
            fmt::format("目录: 医疗费总额 {} = 全自费 {} + 超限价 {} + 先行自付 {} + 政策范围内 {}",
                        M(bill.medfee_sumamt), M(bill.fulamt_ownpay_amt), M(bill.overlmt_selfpay),
                        M(bill.preselfpay_amt), M(bill.inscp_scp_amt)));
        break;
      case TraceKind::kTierSkipped:
        out.push_back(
            fmt::format("{}: 不适用 (条件 {})", tn, tier ? tier->eligible.Describe() : ""));
        break;
      case TraceKind::kTierBase: {
        std::string parts;
        if (s.ref >= 0 && benefit)
          parts = fmt::format("{}封顶线以上部分", benefit->tiers[size_t(s.ref)].name);
        else {
          const char* names[] = {"政策范围内未支付部分", "先行自付", "超限价", "全自费"};
          for (int c = 0; c < kBaseComponentCount; ++c)
            if (s.n & (1 << c)) parts += (parts.empty() ? "" : "+") + std::string(names[c]);
        }
        out.push_back(fmt::format("{}: 计算基数 {} ({})", tn, M(s.a), parts));
        break;
      }
      case TraceKind::kDeductible:
        if (s.ref == int(DeductiblePeriod::kYear))
          out.push_back(fmt::format("{}: 年度起付线 {}, 本年已付 {}, 本次起付 {} (规则 第{}行)", tn,
                                    M(s.a), M(s.c), M(s.b), s.line));
        else if (s.ref == int(DeductiblePeriod::kAdmission))
          out.push_back(fmt::format("{}: 起付线 {} (第{}次住院), 本次起付 {} (规则 第{}行)", tn,
                                    M(s.a), s.n, M(s.b), s.line));
        else
          out.push_back(fmt::format("{}: 起付线 {} (每次就诊), 本次起付 {} (规则 第{}行)", tn,
                                    M(s.a), M(s.b), s.line));
        break;
      case TraceKind::kDeductibleFactor:
        out.push_back(fmt::format("{}: 起付线调整 {}: {} → {} (第{}行)", tn,
                                  tier ? tier->adjustments[size_t(s.ref)].label : "", M(s.a),
                                  M(s.b), s.line));
        break;
      case TraceKind::kAdjustment:
        out.push_back(fmt::format("{}: 比例调整 {} (第{}行)", tn,
                                  tier ? tier->adjustments[size_t(s.ref)].label : "", s.line));
        break;
      case TraceKind::kBand:
        if (s.r == s.r2)
          out.push_back(fmt::format("{}: 分段 [{}, {}) × {} = {}", tn, M(s.a), M(s.b),
                                    s.r.ToString(), M(s.c)));
        else
          out.push_back(fmt::format("{}: 分段 [{}, {}) × {} (原 {}) = {}", tn, M(s.a), M(s.b),
                                    s.r2.ToString(), s.r.ToString(), M(s.c)));
        break;
      case TraceKind::kCap:
        if (s.n == 1)
          out.push_back(fmt::format("{}: 单次限额 {} (第{}行)", tn, M(s.a), s.line));
        else
          out.push_back(fmt::format("{}: 年度限额 {} ({}), 已用 {}, 剩余 {} (第{}行)", tn, M(s.a),
                                    tier ? tier->caps[size_t(s.ref)].account : "", M(s.b), M(s.c),
                                    s.line));
        break;
      case TraceKind::kCapReached:
        out.push_back(fmt::format("{}: 在{}基数 {} 处达到限额, 以上 {} 本基金不再支付", tn,
                                  tier && tier->measure == SegmentMeasure::kYear ? "累计" : "本次",
                                  M(s.a), M(s.b)));
        break;
      case TraceKind::kTierPaid:
        out.push_back(fmt::format("{}: 支付 {}", tn, M(s.a)));
        break;
      case TraceKind::kAccount:
        out.push_back(fmt::format("个人账户: 余额 {}, 支付 {}", M(s.b), M(s.a)));
        break;
      case TraceKind::kMutualAid:
        out.push_back(fmt::format("家庭共济: 可用 {}, 支付 {}", M(s.b), M(s.a)));
        break;
      case TraceKind::kCash:
        out.push_back(fmt::format("个人负担 {} = 个人账户 {} + 现金 {}", M(bill.psn_part_amt),
                                  M(bill.acct_pay), M(s.a)));
        break;
      case TraceKind::kDeposit:
        out.push_back(fmt::format("预交金 {}, {} {}", M(s.a), s.b.is_negative() ? "应补缴" : "应退",
                                  M(s.b.is_negative() ? -s.b : s.b)));
        break;
    }
  }
  return out;
}

}  // namespace yibao
