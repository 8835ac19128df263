// Seeding a fresh SQLite ledger with the sample region's register: the persons of the sample visits
// are there as the visits describe them, every institution signs in with its demo credential, the
// opening balances are balanced journal postings, and a second seed writes nothing.
#include "platform/register_seed.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/sm3.h"
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

class SeedTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("yibao-seed-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    ledger_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    ledger_.reset();
    auto l = OpenSqliteLedger((dir_ / "ledger.db").string());
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    ledger_ = std::move(*l);
  }

  fs::path dir_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(SeedTest, SeedsTheSampleRegister) {
  const Region& region = SampleRegion();
  ASSERT_FALSE(region.persons.empty());
  auto seeded = SeedLedger(region, *ledger_);
  ASSERT_TRUE(seeded.ok()) << FormatDiagnostics(seeded.errors());
  EXPECT_EQ(*seeded, region.persons.size());
  EXPECT_EQ(ledger_->PersonCount(), int64_t(region.persons.size()));

  // The persons of the sample visits, as the visits describe them.
  auto p1 = ledger_->FindPerson("37990000000000000001");
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->psn_name, "张伟");
  EXPECT_EQ(p1->gend, "1");
  EXPECT_EQ(p1->brdy, "1982-06-15");
  EXPECT_EQ(p1->psn_cert_type, "01");
  EXPECT_EQ(p1->certno, "379900198206150037");
  ASSERT_EQ(p1->insurances.size(), 1u);
  EXPECT_EQ(p1->insurances[0].insutype, "310");
  EXPECT_EQ(p1->insurances[0].psn_type, "in_service");
  EXPECT_EQ(p1->insurances[0].psn_insu_stas, "1");
  EXPECT_EQ(p1->insurances[0].insuplc_admdvs, "379900");
  EXPECT_EQ(p1->insurances[0].emp_no, "37990000010001");
  EXPECT_TRUE(p1->identities.empty());

  auto p2 = ledger_->FindPerson("37990000000000000002");
  ASSERT_TRUE(p2);
  EXPECT_EQ(p2->gend, "2");
  EXPECT_EQ(p2->brdy, "1956-03-02");
  EXPECT_EQ(p2->insurances.at(0).psn_type, "retired");

  auto p3 = ledger_->FindPerson("37990000000000000003");
  ASSERT_TRUE(p3);
  EXPECT_EQ(p3->brdy, "2018-09-20");
  EXPECT_EQ(p3->insurances.at(0).insutype, "390");
  EXPECT_EQ(p3->insurances.at(0).psn_type, "resident_child");
  EXPECT_EQ(p3->insurances.at(0).emp_no, "");

  auto p4 = ledger_->FindPerson("37990000000000000004");
  ASSERT_TRUE(p4);
  EXPECT_EQ(p4->brdy, "1961-11-08");
  EXPECT_EQ(p4->insurances.at(0).psn_type, "resident_elderly");
  ASSERT_EQ(p4->identities.size(), 1u);
  EXPECT_EQ(p4->identities[0].psn_idet_type, "dibao");
  EXPECT_EQ(p4->identities[0].begntime, "2019-03-01");
  EXPECT_EQ(p4->identities[0].endtime, "");
  // By ID number, too (the 1101 lookup).
  auto by_cert = ledger_->FindPersonByCert("01", "37990019611108009X");
  ASSERT_TRUE(by_cert);
  EXPECT_EQ(by_cert->psn_no, "37990000000000000004");

  // Two insurances of one person, a suspended one.
  auto p6 = ledger_->FindPerson("37990000000000000006");
  ASSERT_TRUE(p6);
  ASSERT_EQ(p6->insurances.size(), 2u);
  EXPECT_EQ(p6->insurances[1].insutype, "320");
  EXPECT_EQ(p6->insurances[0].cvlserv_flag, "1");
  auto p9 = ledger_->FindPerson("37990000000000000009");
  ASSERT_TRUE(p9);
  EXPECT_EQ(p9->insurances.at(0).psn_insu_stas, "2");
  EXPECT_EQ(p9->insurances.at(0).paus_insu_date, "2024-10-01");

  // Employers.
  auto e = ledger_->FindEmployer("37990000010001");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->emp_name, "青岚重型机床有限公司");
  EXPECT_EQ(e->admdvs, "379900");

  // Every institution, with a credential that verifies: SM3 of "demo-<code>".
  auto institutions = ledger_->Institutions();
  ASSERT_EQ(institutions.size(), region.institutions.size());
  for (const auto& i : institutions) {
    EXPECT_EQ(i.credential_sm3, Hex(Sm3("demo-" + i.fixmedins_code))) << i.fixmedins_code;
    EXPECT_NE(i.credential_sm3, Hex(Sm3("demo-" + i.fixmedins_code + "x")));
    EXPECT_EQ(i.admdvs, "379900");
    EXPECT_TRUE(i.active);
    EXPECT_EQ(i.fixmedins_type, i.fixmedins_code[0] == 'P' ? "2" : "1") << i.fixmedins_code;
  }
  auto h1 = ledger_->FindInstitution("H37990000001");
  ASSERT_TRUE(h1);
  EXPECT_EQ(h1->hosp_lv, 3);
  EXPECT_EQ(h1->fixmedins_name, "青岚市第一人民医院");
  EXPECT_EQ(ledger_->FindInstitution("H37990000013")->hosp_lv, 0);

  // Opening balances: acct +X against carryover −X, each under its own contribution id.
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000001"), 500'00);
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000002"), 1200'00);
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000003"), 0);
  int64_t total = 0;
  for (const auto& p : region.persons)
    for (const auto& i : p.insurances) total += i.opening_balance.fen();
  EXPECT_GT(total, 0);
  EXPECT_EQ(ledger_->AccountBalance("carryover:379900"), -total);
  EXPECT_EQ(ledger_->JournalSum(), 0);
  auto journal = ledger_->JournalOf("opening-37990000000000000001-310");
  ASSERT_EQ(journal.size(), 2u);
  int64_t acct = 0, carry = 0;
  for (const auto& j : journal) {
    if (j.account == "acct:37990000000000000001") acct = j.amount;
    if (j.account == "carryover:379900") carry = j.amount;
  }
  EXPECT_EQ(acct, 500'00);
  EXPECT_EQ(carry, -500'00);
  auto contributions = ledger_->ContributionsOf("37990000000000000001");
  ASSERT_EQ(contributions.size(), 1u);
  EXPECT_EQ(contributions[0].contribution_id, "opening-37990000000000000001-310");
  EXPECT_EQ(contributions[0].to_account, 500'00);
  EXPECT_EQ(contributions[0].to_pool, 0);
  EXPECT_TRUE(ledger_->ContributionsOf("37990000000000000003").empty());

  // Audited as "seed".
  auto audit = ledger_->AuditLog(1000);
  ASSERT_FALSE(audit.empty());
  for (const auto& a : audit) EXPECT_EQ(a.operator_id, "seed") << a.action;
  EXPECT_NE(audit.front().action.find("seed register of 379900"), std::string::npos)
      << audit.front().action;
}

TEST_F(SeedTest, ASecondSeedWritesNothing) {
  ASSERT_TRUE(SeedLedger(SampleRegion(), *ledger_).ok());
  uint64_t writes = ledger_->Stats().writes;
  size_t audit = ledger_->AuditLog(1000).size();
  int64_t balance = ledger_->AccountBalance("acct:37990000000000000001");
  auto again = SeedLedger(SampleRegion(), *ledger_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(ledger_->Stats().writes, writes);
  EXPECT_EQ(ledger_->AuditLog(1000).size(), audit);
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000001"), balance);
  // Also after reopening the store.
  Open();
  auto reopened = SeedLedger(SampleRegion(), *ledger_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened, 0u);
  EXPECT_EQ(ledger_->AuditLog(1000).size(), audit);
}

TEST_F(SeedTest, ALedgerWithOnlyAnInstitutionIsNotFresh) {
  LedgerWrite w;
  w.institutions.push_back(
      InstitutionRecord{"H37990000001", "某医院", "1", 3, "379900", "", "", true});
  ASSERT_EQ(ledger_->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
  auto seeded = SeedLedger(SampleRegion(), *ledger_);
  ASSERT_TRUE(seeded.ok());
  EXPECT_EQ(*seeded, 0u);
  EXPECT_EQ(ledger_->PersonCount(), 0);
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000001"), 0);
}

TEST_F(SeedTest, ASeedInterruptedBeforeTheRegisterCompletesWithoutDoubleBalances) {
  // As if a seed died after its first opening balance: the store has a contribution, no register.
  const Region& region = SampleRegion();
  LedgerWrite w;
  ContributionRecord c;
  c.contribution_id = "opening-37990000000000000001-310";
  c.psn_no = "37990000000000000001";
  c.insutype = "310";
  c.period = "opening";
  c.to_account = 500'00;
  w.contribution = c;
  w.journal = {{"acct:37990000000000000001", 500'00}, {"carryover:379900", -500'00}};
  ASSERT_EQ(ledger_->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
  auto seeded = SeedLedger(region, *ledger_);
  ASSERT_TRUE(seeded.ok()) << FormatDiagnostics(seeded.errors());
  EXPECT_EQ(*seeded, region.persons.size());
  EXPECT_EQ(ledger_->AccountBalance("acct:37990000000000000001"), 500'00);
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

TEST_F(SeedTest, ARegionWithoutARegisterSeedsInstitutionsOnly) {
  Region region = SampleRegion();
  region.persons.clear();
  region.employers.clear();
  region.credentials.clear();
  auto seeded = SeedLedger(region, *ledger_);
  ASSERT_TRUE(seeded.ok());
  EXPECT_EQ(*seeded, 0u);
  EXPECT_EQ(ledger_->Institutions().size(), region.institutions.size());
  EXPECT_EQ(ledger_->FindInstitution("H37990000001")->credential_sm3, "");  // cannot sign in
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

}  // namespace
}  // namespace yibao
