// Golden settlement cases: every file tests/golden/settle/*.toml is a set of visits with the bill a
// domain expert expects (docs/formats/golden.md). The visit is written with the national field
// names and goes through the same JSON edge as a HIS request; the bill is checked field by field,
// per tier, per line, in the trace, and in the accumulators afterwards.
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalogue/catalogue_csv.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "policy/policy_toml.h"
#include "settle/settle.h"
#include "settle/trace_text.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
const fs::path kGoldenDir = fs::path(YIBAO_SOURCE_DIR) / "tests/golden/settle";

std::optional<Money> BillField(const Bill& b, std::string_view name) {
  const std::pair<const char*, Money> fields[] = {
      {"medfee_sumamt", b.medfee_sumamt},
      {"fulamt_ownpay_amt", b.fulamt_ownpay_amt},
      {"overlmt_selfpay", b.overlmt_selfpay},
      {"preselfpay_amt", b.preselfpay_amt},
      {"inscp_scp_amt", b.inscp_scp_amt},
      {"act_pay_dedc", b.act_pay_dedc},
      {"hifp_pay", b.hifp_pay},
      {"cvlserv_pay", b.cvlserv_pay},
      {"hifes_pay", b.hifes_pay},
      {"hifmi_pay", b.hifmi_pay},
      {"hifob_pay", b.hifob_pay},
      {"maf_pay", b.maf_pay},
      {"oth_pay", b.oth_pay},
      {"fund_pay_sumamt", b.fund_pay_sumamt},
      {"psn_part_amt", b.psn_part_amt},
      {"acct_pay", b.acct_pay},
      {"acct_mulaid_pay", b.acct_mulaid_pay},
      {"psn_cash_pay", b.psn_cash_pay},
      {"deposit_refund", b.deposit_refund},
  };
  for (const auto& [n, m] : fields)
    if (name == n) return m;
  return std::nullopt;
}

std::string Text(const toml::node& n) {
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto i = n.value_exact<int64_t>()) return std::to_string(*i);
  return "?";
}

Money ParseMoneyOrFail(const toml::node& n, const std::string& where) {
  auto m = Money::ParseYuan(Text(n));
  EXPECT_TRUE(m.has_value()) << where << ": bad amount in golden file";
  return m.value_or(Money());
}

class GoldenFile : public testing::TestWithParam<std::string> {};

TEST_P(GoldenFile, Settles) {
  const fs::path file = kGoldenDir / GetParam();
  toml::table doc;
  try {
    doc = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    FAIL() << file << ":" << e.source().begin.line << ": " << e.description();
  }
  PolicyVocabulary vocabulary;
  if (auto arr = doc["person_types"].as_array())
    for (auto& n : *arr) vocabulary.psn_types.push_back(Text(n));
  if (auto arr = doc["identities"].as_array())
    for (auto& n : *arr) vocabulary.identities.push_back(Text(n));
  auto policy =
      LoadPolicyFile((kGoldenDir / doc["policy"].value_or(std::string())).string(), &vocabulary);
  ASSERT_TRUE(policy.ok()) << FormatDiagnostics(policy.errors());
  auto catalogue = LoadCatalogueCsv(
      (kGoldenDir / doc["catalogue"].value_or(std::string("catalogue.csv"))).string(),
      policy->region);
  ASSERT_TRUE(catalogue.ok()) << FormatDiagnostics(catalogue.errors());

  Region insured;
  insured.admdvs = policy->region;
  insured.vocabulary = vocabulary;
  for (const auto& id : vocabulary.psn_types) insured.person_types.push_back({id, "", ""});
  insured.identities.clear();
  insured.catalogue = *catalogue;
  insured.policies.push_back(*policy);

  const bool carry = doc["carry"].value_or(false);
  const toml::table* defaults = doc["visit"].as_table();
  std::vector<int64_t> carried;
  auto cases = doc["case"].as_array();
  ASSERT_TRUE(cases && !cases->empty()) << file << ": no [[case]]";
  for (size_t ci = 0; ci < cases->size(); ++ci) {
    const toml::table& c = *cases->get(ci)->as_table();
    std::string name = c["name"].value_or(std::string("case ") + std::to_string(ci));
    SCOPED_TRACE(GetParam() + " case " + std::to_string(ci + 1) + ": " + name);
    toml::table visit = defaults ? *defaults : toml::table{};
    if (auto v = c["visit"].as_table())
      for (auto& [k, val] : *v) visit.insert_or_assign(k, val);
    std::ostringstream json;
    json << toml::json_formatter{visit};

    auto input = ParseVisitJson(json.str());
    Region treatment = insured;
    if (input) {
      if (!input->visit.treatment_admdvs.empty()) treatment.admdvs = input->visit.treatment_admdvs;
    }
    bool own_accumulators = input && !input->accumulators.empty();
    Result<PreparedVisit> prepared = input ? PrepareVisit(std::move(*input), insured, treatment)
                                           : Result<PreparedVisit>(input.errors());
    Settlement s;
    Diagnostics errors;
    bool ok = prepared.ok();
    if (ok) {
      if (carry && !own_accumulators && !carried.empty()) prepared->accumulators = carried;
      ok = Settle(prepared->visit, *prepared->catalogue, *prepared->policy, prepared->accumulators,
                  &s, &errors);
    } else {
      errors = prepared.errors();
    }
    if (auto expected_error = c["expect_error"].value<std::string>()) {
      EXPECT_FALSE(ok) << "expected an error containing \"" << *expected_error << "\"";
      std::string all = FormatDiagnostics(errors);
      EXPECT_NE(all.find(*expected_error), std::string::npos) << all;
      continue;
    }
    ASSERT_TRUE(ok) << FormatDiagnostics(errors);
    const Bill& b = s.bill;
    EXPECT_EQ(CheckBillIdentities(b), "");

    if (auto expect = c["expect"].as_table())
      for (auto& [k, v] : *expect) {
        auto actual = BillField(b, k.str());
        ASSERT_TRUE(actual.has_value()) << "unknown bill field " << k.str();
        EXPECT_EQ(actual->ToString(), ParseMoneyOrFail(v, std::string(k.str())).ToString())
            << k.str();
      }
    if (auto tiers = c["expect_tiers"].as_table())
      for (auto& [k, v] : *tiers) {
        std::optional<Money> paid;
        for (const auto& f : b.funds)
          if (b.benefit->tiers[size_t(f.tier)].id == k.str()) paid = f.payment;
        ASSERT_TRUE(paid.has_value())
            << "tier " << k.str() << " did not pay (not eligible or unknown)";
        EXPECT_EQ(paid->ToString(), ParseMoneyOrFail(v, std::string(k.str())).ToString())
            << "tier " << k.str();
      }
    if (auto lines = c["expect_lines"].as_array())
      for (size_t li = 0; li < lines->size(); ++li) {
        const toml::table& e = *lines->get(li)->as_table();
        ASSERT_LT(li, b.lines.size());
        const LineSettlement& l = b.lines[li];
        const std::pair<const char*, Money> parts[] = {{"fulamt_ownpay_amt", l.ownpay},
                                                       {"overlmt_amt", l.over_limit},
                                                       {"preselfpay_amt", l.pre_selfpay},
                                                       {"inscp_scp_amt", l.in_scope}};
        for (const auto& [n, m] : parts)
          if (auto v = e.get(n)) {
            EXPECT_EQ(m.ToString(), ParseMoneyOrFail(*v, n).ToString())
                << "line " << li << " " << n;
          }
        if (auto memo = e["memo"].value<std::string>()) {
          EXPECT_NE(std::string(LineNoteText(l.note)).find(*memo), std::string::npos)
              << "line " << li << " memo " << LineNoteText(l.note);
        }
      }
    std::vector<std::string> trace = RenderTrace(b, prepared->visit);
    std::string trace_text;
    for (const auto& t : trace) trace_text += t + "\n";
    if (auto wanted = c["expect_trace"].as_array())
      for (auto& w : *wanted) {
        EXPECT_NE(trace_text.find(Text(w)), std::string::npos)
            << "trace lacks \"" << Text(w) << "\":\n"
            << trace_text;
      }

    std::vector<int64_t> after = prepared->accumulators;
    ApplyDeltas(after, s.deltas);
    if (auto acc = c["expect_accumulators"].as_table())
      for (auto& [k, v] : *acc) {
        int slot = prepared->policy->Slot(k.str());
        ASSERT_GE(slot, 0) << "unknown account " << k.str();
        int64_t want = IsCounterSlot(*prepared->policy, slot)
                           ? v.value_or(int64_t(0))
                           : ParseMoneyOrFail(v, std::string(k.str())).fen();
        EXPECT_EQ(after[size_t(slot)], want) << "account " << k.str();
      }
    // Cancelling restores the accumulators exactly.
    std::vector<int64_t> restored = after;
    ApplyDeltas(restored, Reversal(s).deltas);
    EXPECT_EQ(restored, prepared->accumulators);
    carried = after;
  }
}

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kGoldenDir))
    if (e.path().extension() == ".toml") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Settle, GoldenFile, testing::ValuesIn(GoldenFiles()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (auto& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace yibao
