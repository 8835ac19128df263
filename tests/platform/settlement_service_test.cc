// The settlement use cases over a real SQLite ledger: durable settle, idempotent msgid, refusal of
// a second settlement, cancel and re-settle, institutions isolated, and one person's settlements
// from two institutions at once serialised exactly as if done one after the other.
#include "platform/settlement_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include "ledger/sqlite_ledger.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;

const Region& SampleRegion() {
  static const Region region = [] {
    auto r = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
    if (!r) ADD_FAILURE() << FormatDiagnostics(r.errors());
    return r ? std::move(*r) : Region();
  }();
  return region;
}

// An outpatient visit of one employee (累计补差 deductible and an annual cap: order matters).
std::string OutpatientVisit(const std::string& mdtrt_id, const std::string& fixmedins_code,
                            const std::string& amount) {
  return R"({"mdtrt_id":")" + mdtrt_id + R"(","psn_no":"P1","gend":"1","brdy":"1980-01-01",
    "insutype":"310","psn_type":"in_service","med_type":"11","fixmedins_code":")" +
         fixmedins_code +
         R"(","begntime":"2025-03-01","dise_codg":"J06.900",
    "fee_details":[{"feedetl_sn":"1","med_list_codg":"002501010150000","cnt":1,"pric":")" +
         amount + R"("}]})";
}

class ServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("yibao-platform-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto l = OpenSqliteLedger((dir_ / "ledger.db").string());
    ASSERT_TRUE(l.ok());
    ledger_ = std::move(*l);
    service_ = std::make_unique<SettlementService>(SampleRegion(), *ledger_);
  }
  void TearDown() override {
    service_.reset();
    ledger_.reset();
    fs::remove_all(dir_);
  }

  ServiceReply SettleAndWait(const std::string& inst, const std::string& msgid,
                             const std::string& json) {
    std::promise<ServiceReply> p;
    service_->Settle(inst, msgid, json, [&](ServiceReply r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  ServiceReply CancelAndWait(const std::string& inst, const std::string& msgid,
                             const std::string& setl_id) {
    std::promise<ServiceReply> p;
    service_->Cancel(inst, msgid, setl_id, [&](ServiceReply r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  fs::path dir_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<SettlementService> service_;
};

TEST_F(ServiceTest, SettlesDurablyAndReplaysTheSameMsgid) {
  ServiceReply r =
      SettleAndWait("H37990000001", "M1", OutpatientVisit("V1", "H37990000001", "900"));
  ASSERT_TRUE(r.ok) << r.err_msg;
  EXPECT_FALSE(r.replayed);
  EXPECT_EQ(r.setl_id, "H37990000001-M1");
  auto rec = ledger_->FindSettlement(r.setl_id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->medfee_sumamt, 90000);
  EXPECT_EQ(ledger_->JournalSum(), 0);
  auto acc = ledger_->Accumulators("P1", "310", 2025);
  EXPECT_GT(acc["employee.outpatient.deductible"], 0);

  ServiceReply again =
      SettleAndWait("H37990000001", "M1", OutpatientVisit("V1", "H37990000001", "900"));
  EXPECT_TRUE(again.ok);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.output_json, r.output_json);
  EXPECT_EQ(ledger_->SettlementsOf("P1", "310", 2025).size(), 1u);
  EXPECT_EQ(ledger_->Accumulators("P1", "310", 2025), acc);
}

TEST_F(ServiceTest, ASecondSettlementOfAVisitIsRefused) {
  ASSERT_TRUE(SettleAndWait("H37990000001", "M1", OutpatientVisit("V1", "H37990000001", "900")).ok);
  ServiceReply r =
      SettleAndWait("H37990000001", "M2", OutpatientVisit("V1", "H37990000001", "900"));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.err_msg.find("mdtrt_id: visit V1 is already settled"), std::string::npos)
      << r.err_msg;
  EXPECT_EQ(ledger_->SettlementsOf("P1", "310", 2025).size(), 1u);
}

TEST_F(ServiceTest, CancelRestoresAndTheVisitSettlesAgainIdentically) {
  ServiceReply first =
      SettleAndWait("H37990000001", "M1", OutpatientVisit("V1", "H37990000001", "900"));
  ASSERT_TRUE(first.ok);
  ServiceReply cancel = CancelAndWait("H37990000001", "M2", first.setl_id);
  ASSERT_TRUE(cancel.ok) << cancel.err_msg;
  for (const auto& [account, value] : ledger_->Accumulators("P1", "310", 2025))
    EXPECT_EQ(value, 0) << account;
  EXPECT_EQ(ledger_->AccountBalance("hospital:H37990000001"), 0);
  EXPECT_FALSE(CancelAndWait("H37990000001", "M3", first.setl_id).ok);  // already cancelled
  ServiceReply again =
      SettleAndWait("H37990000001", "M4", OutpatientVisit("V1", "H37990000001", "900"));
  ASSERT_TRUE(again.ok) << again.err_msg;
  // The same bill as the first time, apart from its id.
  auto strip = [](std::string s) { return s.substr(s.find(",\"bill\":")); };
  EXPECT_EQ(strip(again.output_json), strip(first.output_json));
}

TEST_F(ServiceTest, AnInstitutionSeesAndChangesOnlyItsOwnSettlements) {
  ServiceReply r =
      SettleAndWait("H37990000001", "M1", OutpatientVisit("V1", "H37990000001", "900"));
  ASSERT_TRUE(r.ok);
  ServiceReply foreign = CancelAndWait("H37990000006", "X1", r.setl_id);
  EXPECT_FALSE(foreign.ok);
  EXPECT_NE(foreign.err_msg.find("no settlement"), std::string::npos);
  EXPECT_TRUE(ledger_->LiveSettlementOfVisit("H37990000001", "V1"));
  // Settling a visit declared for another institution is refused.
  ServiceReply wrong =
      SettleAndWait("H37990000006", "X2", OutpatientVisit("V2", "H37990000001", "900"));
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.err_msg.find("fixmedins_code"), std::string::npos);
}

TEST_F(ServiceTest, PreSettlementChangesNothing) {
  ServiceReply r = service_->PreSettle(OutpatientVisit("V1", "H37990000001", "900"));
  ASSERT_TRUE(r.ok) << r.err_msg;
  EXPECT_TRUE(ledger_->Accumulators("P1", "310", 2025).empty());
  EXPECT_FALSE(ledger_->LiveSettlementOfVisit("H37990000001", "V1"));
}

// Two institutions settle the same person at once; the accumulators and every bill equal a
// sequential replay, in the order the ledger recorded them, by the pure engine.
TEST_F(ServiceTest, OnePersonFromTwoInstitutionsIsSerialised) {
  constexpr int kVisits = 40;
  std::atomic<int> ok{0};
  auto run = [&](const std::string& inst, int parity) {
    std::vector<std::future<ServiceReply>> pending;
    for (int i = parity; i < kVisits; i += 2) {
      auto p = std::make_shared<std::promise<ServiceReply>>();
      pending.push_back(p->get_future());
      std::string amount = std::to_string(150 + 37 * i);
      service_->Settle(inst, "M" + std::to_string(i),
                       OutpatientVisit("V" + std::to_string(i), inst, amount),
                       [p](ServiceReply r) { p->set_value(std::move(r)); });
    }
    for (auto& f : pending) ok += f.get().ok;
  };
  std::thread a(run, "H37990000001", 0), b(run, "H37990000006", 1);
  a.join();
  b.join();
  ASSERT_EQ(ok.load(), kVisits);

  const Region& region = SampleRegion();
  std::vector<int64_t> acc;
  const Policy* policy = nullptr;
  for (const auto& rec : ledger_->SettlementsOf("P1", "310", 2025)) {
    int i = std::stoi(rec.mdtrt_id.substr(1));
    auto input = ParseVisitJson(
        OutpatientVisit(rec.mdtrt_id, rec.fixmedins_code, std::to_string(150 + 37 * i)));
    ASSERT_TRUE(input.ok());
    auto prepared = PrepareVisit(std::move(*input), region, region);
    ASSERT_TRUE(prepared.ok());
    policy = prepared->policy;
    if (acc.empty()) acc.assign(policy->accounts().size(), 0);
    Settlement s;
    Diagnostics errors;
    ASSERT_TRUE(Settle(prepared->visit, *prepared->catalogue, *policy, acc, &s, &errors));
    EXPECT_EQ(s.bill.fund_pay_sumamt.fen(), rec.fund_pay_sumamt) << rec.setl_id;
    EXPECT_EQ(s.bill.psn_part_amt.fen(), rec.psn_part_amt) << rec.setl_id;
    ApplyDeltas(acc, s.deltas);
  }
  ASSERT_TRUE(policy);
  std::map<std::string, int64_t> expected = policy->AccumulatorsByName(acc);
  EXPECT_EQ(ledger_->Accumulators("P1", "310", 2025), expected);
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

}  // namespace
}  // namespace yibao
