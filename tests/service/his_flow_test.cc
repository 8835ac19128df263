// The national interface end to end over real HTTP: an in-process `HttpServer` with the
// transactions of HisService over a SQLite ledger, driven by the reference HIS client exactly as a
// hospital system would drive `yibao serve`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "client/his_client.h"
#include "crypto/envelope_signature.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "platform/admin_api.h"
#include "platform/his_service.h"
#include "platform/review_base.h"
#include "server/http_server.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHospA = "H37990000001";  // 三级
constexpr const char* kHospB = "H37990000002";  // 三级
constexpr const char* kEmployee = "37990000000000000001";
constexpr const char* kEmployeeCert = "379900198206150012";
constexpr const char* kRetiree = "37990000000000000002";

// Accumulators without the accounts a cancellation brought back to zero.
std::map<std::string, int64_t> NonZero(std::map<std::string, int64_t> m) {
  std::erase_if(m, [](const auto& kv) { return kv.second == 0; });
  return m;
}

std::shared_ptr<const Region> SampleRegion() {
  static const std::shared_ptr<const Region> region = [] {
    auto r = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
    if (!r) ADD_FAILURE() << FormatDiagnostics(r.errors());
    return std::make_shared<const Region>(r ? std::move(*r) : Region());
  }();
  return region;
}

// The register the tests need, written straight into the ledger (the seeding from region files
// has its own tests): two hospitals with demo credentials, an employee with an account balance,
// a retiree.
LedgerWrite Register(const std::string& key_hex_b = "") {
  LedgerWrite w;
  for (const char* code : {kHospA, kHospB}) {
    InstitutionRecord i;
    i.fixmedins_code = code;
    i.fixmedins_name = std::string("测试医院 ") + code;
    i.fixmedins_type = "1";
    i.hosp_lv = 3;
    i.admdvs = "379900";
    i.credential_sm3 = Hex(Sm3(std::string("demo-") + code));
    if (std::string(code) == kHospB) i.sm2_public_key = key_hex_b;
    w.institutions.push_back(i);
  }
  PersonRecord e;
  e.psn_no = kEmployee;
  e.psn_cert_type = "01";
  e.certno = kEmployeeCert;
  e.psn_name = "张伟";
  e.gend = "1";
  e.brdy = "1982-06-15";
  e.insurances.push_back({"310", "in_service", "1", "2005-07-01", "", "379900", "", "0"});
  w.persons.push_back(e);
  PersonRecord r;
  r.psn_no = kRetiree;
  r.psn_cert_type = "01";
  r.certno = "379900195603020027";
  r.psn_name = "李秀英";
  r.gend = "2";
  r.brdy = "1956-03-02";
  r.insurances.push_back({"310", "retired", "1", "1990-01-01", "", "379900", "", "0"});
  w.persons.push_back(r);
  ContributionRecord opening;
  opening.contribution_id = "opening-employee";
  opening.psn_no = kEmployee;
  opening.insutype = "310";
  opening.period = "2025";
  opening.to_account = 50000;
  w.contribution = opening;
  w.journal = {{std::string("acct:") + kEmployee, 50000}, {"carryover:379900", -50000}};
  return w;
}

class HisFlowTest : public testing::Test {
 protected:
  void SetUp() override { Start(false, ""); }
  void TearDown() override { Stop(); }

  void Start(bool require_signature, const std::string& key_hex_b) {
    dir_ = fs::temp_directory_path() /
           ("yibao-his-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto l = OpenSqliteLedger((dir_ / "ledger.db").string());
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    // Through the read cache, as `yibao serve` runs by default.
    ledger_ = WithReadCache(std::move(*l));
    ASSERT_EQ(ledger_->SubmitAndWait(Register(key_hex_b)), WriteStatus::kDurable);
    region_ = std::make_unique<RegionHolder>(SampleRegion());
    HisOptions options;
    options.require_signature = require_signature;
    auto review = LoadReviewBase(std::string(YIBAO_SOURCE_DIR) + "/rules/national",
                                 std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan/knowledge",
                                 region_->Current()->catalogue);
    ASSERT_TRUE(review.ok()) << FormatDiagnostics(review.errors());
    options.review = *review;
    options.settlement_review = settlement_review_;
    his_ = std::make_unique<HisService>(*region_, *ledger_, clock_, options);
    dispatcher_ = std::make_unique<Dispatcher>();
    his_->Register(*dispatcher_);
    metrics_ = std::make_unique<Metrics>();
    ServerOptions so;
    so.address = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    so.logger = &quiet_;
    server_ = std::make_unique<HttpServer>(so, *dispatcher_, *metrics_);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok());
    port_ = *port;
  }

  void Stop() {
    if (server_) server_->Stop();
    server_.reset();
    his_.reset();
    ledger_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<HisClient> Client(const std::string& code, bool sign_in = true) {
    HisClientOptions o;
    o.port = port_;
    o.fixmedins_code = code;
    auto c = std::make_unique<HisClient>(o);
    if (sign_in) {
      auto r = c->SignIn("demo-" + code);
      EXPECT_TRUE(r.ok()) << r.err_msg;
    }
    return c;
  }

  static std::string At(const CallResult& r, std::string_view pointer) {
    return JsonTextAt(r.output_json, pointer).value_or("<absent>");
  }

  // 2201 + 2203 for an outpatient visit; returns the mdtrt_id.
  std::string RegisterOutpatient(HisClient& c, const std::string& psn_no, const std::string& day,
                                 const std::string& diag = "J06.900") {
    auto r = c.Call("2201",
                    R"({"data":{"psn_no":")" + psn_no + R"(","insutype":"310","begntime":")" + day +
                        R"( 09:00:00","mdtrt_cert_type":"02","mdtrt_cert_no":"","ipt_otp_no":"MZ)" +
                        std::to_string(++seq_) + R"(","dept_code":"A03","dept_name":"内科"}})");
    EXPECT_TRUE(r.ok()) << r.err_msg;
    std::string mdtrt_id = At(r, "/data/mdtrt_id");
    auto info = c.Call(
        "2203",
        R"({"mdtrtinfo":{"mdtrt_id":")" + mdtrt_id + R"(","psn_no":")" + psn_no +
            R"(","med_type":"11","begntime":")" + day + R"( 09:00:00","dise_codg":")" + diag +
            R"("},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":")" +
            diag + R"(","diag_name":"x"}]})");
    EXPECT_TRUE(info.ok()) << info.err_msg;
    return mdtrt_id;
  }

  static std::string FeeLine(const std::string& sn, const std::string& mdtrt_id,
                             const std::string& psn_no, const std::string& code,
                             const std::string& cnt, const std::string& pric,
                             const std::string& sumamt, const std::string& batch = "B1") {
    return R"({"feedetl_sn":")" + sn + R"(","mdtrt_id":")" + mdtrt_id + R"(","psn_no":")" + psn_no +
           R"(","chrg_bchno":")" + batch +
           R"(","fee_ocur_time":"2025-03-01 09:30:00","med_list_codg":")" + code +
           R"(","medins_list_codg":"L)" + sn + R"(","det_item_fee_sumamt":")" + sumamt +
           R"(","cnt":")" + cnt + R"(","pric":")" + pric + R"("})";
  }

  static std::string SettleInput(const std::string& mdtrt_id, const std::string& psn_no,
                                 const std::string& sumamt, const std::string& med_type = "11") {
    return R"({"data":{"psn_no":")" + psn_no +
           R"(","mdtrt_cert_type":"02","mdtrt_cert_no":"","med_type":")" + med_type +
           R"(","medfee_sumamt":")" + sumamt + R"(","psn_setlway":"01","mdtrt_id":")" + mdtrt_id +
           R"(","chrg_bchno":"0000","insutype":"310","acct_used_flag":"1"}})";
  }

  // One outpatient visit of `psn_no` with three lines (41.40) settled by `c`; returns the 2207
  // reply.
  CallResult OutpatientVisit(HisClient& c, const std::string& psn_no, const std::string& day) {
    std::string id = RegisterOutpatient(c, psn_no, day);
    auto up = c.Call(
        "2204", "{\"feedetail\":[" +
                    FeeLine("1", id, psn_no, "001102000010000", "1", "10", "10.00") + "," +
                    FeeLine("2", id, psn_no, "XJ01CAB007A002010101373", "24", "0.10", "2.40") +
                    "," + FeeLine("3", id, psn_no, "002501010150000", "1", "29", "29.00") + "]}");
    EXPECT_TRUE(up.ok()) << up.err_msg;
    return c.Call("2207", SettleInput(id, psn_no, "41.40"));
  }

  // The flow tests' outpatient visit charges amoxicillin above its price cap on purpose (2204's
  // classification shows it), which two refusing rules of the bundled base would stop at 2207: they
  // run the settlement review in `flag` mode, so its findings ride along in the bill. Enforcement
  // has tests of its own.
  SettlementReviewMode settlement_review_ = SettlementReviewMode::kFlag;
  static inline int counter_ = 0;
  int seq_ = 0;
  FixedClock clock_{std::chrono::system_clock::now()};
  fs::path dir_;
  Logger quiet_{[](std::string_view) {}, LogLevel::kError};
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<RegionHolder> region_;
  std::unique_ptr<HisService> his_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HisFlowTest, OutpatientFlowFromPersonInfoToReconciliation) {
  auto c = Client(kHospA);
  auto info = c->Call("1101", R"({"data":{"mdtrt_cert_type":"02","mdtrt_cert_no":")" +
                                  std::string(kEmployeeCert) + R"(","psn_cert_type":"01"}})");
  ASSERT_TRUE(info.ok()) << info.err_msg;
  EXPECT_EQ(At(info, "/baseinfo/psn_no"), kEmployee);
  EXPECT_EQ(At(info, "/insuinfo/0/psn_type"), "in_service");
  EXPECT_EQ(At(info, "/insuinfo/0/balc"), "500.00");

  std::string id = RegisterOutpatient(*c, kEmployee, "2025-03-01");
  auto up = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001102000010000", "1", "10", "10.00") + "," +
                  FeeLine("2", id, kEmployee, "XJ01CAB007A002010101373", "24", "0.10", "2.40") +
                  "]}");
  ASSERT_TRUE(up.ok()) << up.err_msg;
  EXPECT_EQ(At(up, "/result/0/feedetl_sn"), "1");
  EXPECT_EQ(At(up, "/result/1/det_item_fee_sumamt"), "2.40");
  EXPECT_NE(At(up, "/result/1/chrgitm_lv"), "<absent>");
  // A second batch, then the first one cancelled (2205) and uploaded again under a new number.
  auto up2 = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("3", id, kEmployee, "002501010150000", "1", "29", "29.00", "B2") + "]}");
  ASSERT_TRUE(up2.ok()) << up2.err_msg;
  auto cancel = c->Call("2205", R"({"data":{"mdtrt_id":")" + id +
                                    R"(","chrg_bchno":"B2","psn_no":")" + kEmployee + R"("}})");
  ASSERT_TRUE(cancel.ok()) << cancel.err_msg;
  auto wrong_total = c->Call("2207", SettleInput(id, kEmployee, "41.40"));
  EXPECT_EQ(wrong_total.infcode, -1);
  EXPECT_NE(wrong_total.err_msg.find("data.medfee_sumamt"), std::string::npos)
      << wrong_total.err_msg;
  auto up3 = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("3", id, kEmployee, "002501010150000", "1", "29", "29.00", "B3") + "]}");
  ASSERT_TRUE(up3.ok()) << up3.err_msg;

  auto pre = c->Call("2206", SettleInput(id, kEmployee, "41.40"));
  ASSERT_TRUE(pre.ok()) << pre.err_msg;
  auto setl = c->Call("2207", SettleInput(id, kEmployee, "41.40"));
  ASSERT_TRUE(setl.ok()) << setl.err_msg;
  for (const char* f : {"/setlinfo/medfee_sumamt", "/setlinfo/fund_pay_sumamt",
                        "/setlinfo/acct_pay", "/setlinfo/psn_cash_pay"})
    EXPECT_EQ(At(pre, f), At(setl, f)) << f;
  EXPECT_EQ(At(setl, "/setlinfo/medfee_sumamt"), "41.40");
  const std::string setl_id = At(setl, "/setlinfo/setl_id");
  ASSERT_NE(setl_id, "<absent>");

  // Settled: no more fees, no second settlement.
  auto late = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("9", id, kEmployee, "001102000010000", "1", "10", "10.00") + "]}");
  EXPECT_EQ(late.infcode, -1);
  EXPECT_EQ(c->Call("2207", SettleInput(id, kEmployee, "41.40")).infcode, -1);

  auto query = c->Call("5203", R"({"data":{"setl_id":")" + setl_id + R"(","psn_no":")" + kEmployee +
                                   R"(","mdtrt_id":")" + id + R"("}})");
  ASSERT_TRUE(query.ok()) << query.err_msg;
  EXPECT_EQ(query.output_json, setl.output_json);

  const std::string fund = At(setl, "/setlinfo/fund_pay_sumamt");
  const std::string acct = At(setl, "/setlinfo/acct_pay");
  const std::string today = ChinaTimeString(std::chrono::system_clock::now()).substr(0, 10);
  auto recon = [&](const std::string& medfee, int count) {
    return c->Call(
        "3201",
        R"({"data":{"insutype":"310","clr_type":"11","setl_optins":"379900","stmt_begndate":")" +
            today + R"(","stmt_enddate":")" + today + R"(","medfee_sumamt":")" + medfee +
            R"(","fund_pay_sumamt":")" + fund + R"(","acct_pay":")" + acct +
            R"(","fixmedins_setl_cnt":)" + std::to_string(count) + "}}");
  };
  auto balanced = recon("41.40", 1);
  ASSERT_TRUE(balanced.ok()) << balanced.err_msg;
  EXPECT_EQ(At(balanced, "/stmtinfo/stmt_rslt"), "0");
  auto unbalanced = recon("41.41", 1);
  EXPECT_EQ(At(unbalanced, "/stmtinfo/stmt_rslt"), "1");
  EXPECT_NE(At(unbalanced, "/stmtinfo/stmt_rslt_dscr").find("medfee_sumamt"), std::string::npos);
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

TEST_F(HisFlowTest, InpatientFlowCancelAndResettle) {
  auto c = Client(kHospA);
  auto adm = c->Call(
      "2401",
      R"({"mdtrtinfo":{"psn_no":")" + std::string(kRetiree) +
          R"(","insutype":"310","begntime":"2025-04-02 08:00:00","mdtrt_cert_type":"02","mdtrt_cert_no":"","med_type":"21","ipt_no":"ZY001","adm_dept_codg":"A04","adm_dept_name":"外科","dise_codg":"K80.101","dise_name":"胆囊结石"},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"K80.101","diag_name":"胆囊结石"},{"diag_type":"1","maindiag_flag":"0","diag_srt_no":2,"diag_code":"I10.x00","diag_name":"高血压"}]})");
  ASSERT_TRUE(adm.ok()) << adm.err_msg;
  const std::string id = At(adm, "/result/mdtrt_id");
  auto fees = c->Call(
      "2301", "{\"feedetail\":[" +
                  FeeLine("1", id, kRetiree, "001107000010001", "12", "30", "360.00") + "," +
                  FeeLine("2", id, kRetiree, "001201000040000", "12", "20", "240.00") + "," +
                  FeeLine("3", id, kRetiree, "002103000010000", "1", "150", "150.00") + "," +
                  FeeLine("4", id, kRetiree, "001109000010000", "12", "20", "240.00") + "]}");
  ASSERT_TRUE(fees.ok()) << fees.err_msg;
  auto drop = c->Call("2302", R"({"data":[{"feedetl_sn":"4","mdtrt_id":")" + id +
                                  R"(","psn_no":")" + kRetiree + R"("}]})");
  ASSERT_TRUE(drop.ok()) << drop.err_msg;
  // Not discharged yet: 2304 refuses.
  auto early = c->Call("2304", SettleInput(id, kRetiree, "750.00", ""));
  EXPECT_EQ(early.infcode, -1);
  EXPECT_NE(early.err_msg.find("2402"), std::string::npos) << early.err_msg;
  auto dscg = c->Call(
      "2402",
      R"({"dscginfo":{"mdtrt_id":")" + id + R"(","psn_no":")" + kRetiree +
          R"(","insutype":"310","endtime":"2025-04-14 10:00:00","dise_codg":"K80.101","dscg_way":"1"},"diseinfo":[]})");
  ASSERT_TRUE(dscg.ok()) << dscg.err_msg;

  const auto before = ledger_->Accumulators(kRetiree, "310", 2025);
  auto pre = c->Call("2303", SettleInput(id, kRetiree, "750.00", ""));
  ASSERT_TRUE(pre.ok()) << pre.err_msg;
  auto first = c->Call("2304", SettleInput(id, kRetiree, "750.00", ""));
  ASSERT_TRUE(first.ok()) << first.err_msg;
  EXPECT_EQ(At(first, "/setlinfo/hifp_pay"), At(pre, "/setlinfo/hifp_pay"));
  EXPECT_NE(ledger_->Accumulators(kRetiree, "310", 2025), before);
  const std::string setl_id = At(first, "/setlinfo/setl_id");

  // 2208 is the outpatient cancel: refused for an inpatient settlement.
  EXPECT_EQ(c->Call("2208", R"({"data":{"setl_id":")" + setl_id + R"(","mdtrt_id":")" + id +
                                R"(","psn_no":")" + kRetiree + R"("}})")
                .infcode,
            -1);
  auto cancel = c->Call("2305", R"({"data":{"setl_id":")" + setl_id + R"(","mdtrt_id":")" + id +
                                    R"(","psn_no":")" + kRetiree + R"("}})");
  ASSERT_TRUE(cancel.ok()) << cancel.err_msg;
  EXPECT_EQ(At(cancel, "/setlinfo/medfee_sumamt"), "-750.00");
  EXPECT_EQ(NonZero(ledger_->Accumulators(kRetiree, "310", 2025)), NonZero(before));
  // Cancelling twice is refused.
  EXPECT_EQ(c->Call("2305", R"({"data":{"setl_id":")" + setl_id + R"(","mdtrt_id":")" + id +
                                R"(","psn_no":")" + kRetiree + R"("}})")
                .infcode,
            -1);
  auto again = c->Call("2304", SettleInput(id, kRetiree, "750.00", ""));
  ASSERT_TRUE(again.ok()) << again.err_msg;
  for (const char* f : {"/setlinfo/fund_pay_sumamt", "/setlinfo/hifp_pay", "/setlinfo/psn_cash_pay",
                        "/setlinfo/acct_pay"})
    EXPECT_EQ(At(again, f), At(first, f)) << f;
  EXPECT_NE(At(again, "/setlinfo/setl_id"), setl_id);
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

TEST_F(HisFlowTest, SignNoIsRequiredAndBoundToItsInstitution) {
  auto a = Client(kHospA);
  auto b = Client(kHospB);
  const std::string person = R"({"data":{"psn_no":")" + std::string(kEmployee) + R"("}})";
  ASSERT_TRUE(a->Call("1101", person).ok());

  auto none = Client(kHospA, false);
  auto r = none->Call("1101", person);
  EXPECT_EQ(r.infcode, -1);
  EXPECT_EQ(r.err_msg.rfind("sign_no:", 0), 0u) << r.err_msg;

  none->set_sign_no("0123456789abcdef01234567");  // made up
  EXPECT_EQ(none->Call("1101", person).infcode, -1);
  none->set_sign_no(b->sign_no());  // B's sign-in used by A
  r = none->Call("1101", person);
  EXPECT_EQ(r.infcode, -1);
  EXPECT_NE(r.err_msg.find("sign_no"), std::string::npos);

  auto wrong = Client(kHospA, false)->SignIn("demo-wrong");
  EXPECT_EQ(wrong.infcode, -1);
  EXPECT_NE(wrong.err_msg.find("signIn.credential"), std::string::npos) << wrong.err_msg;

  // Signed out: the sign_no stops working.
  auto out =
      a->Call("9002", R"({"signOut":{"sign_no":")" + a->sign_no() + R"(","opter_no":"001"}})");
  ASSERT_TRUE(out.ok()) << out.err_msg;
  EXPECT_EQ(a->Call("1101", person).infcode, -1);
}

TEST_F(HisFlowTest, ASignInExpiresAndADeactivatedInstitutionIsShutOut) {
  using namespace std::chrono_literals;
  auto a = Client(kHospA);
  const std::string person = R"({"data":{"psn_no":")" + std::string(kEmployee) + R"("}})";
  ASSERT_TRUE(a->Call("1101", person).ok());
  clock_.Set(clock_.Now() + 23h);
  ASSERT_TRUE(a->Call("1101", person).ok());  // still the same day's sign-in
  clock_.Set(clock_.Now() + 1h + 1s);
  auto r = a->Call("1101", person);
  EXPECT_EQ(r.infcode, -1);
  EXPECT_NE(r.err_msg.find("has expired"), std::string::npos) << r.err_msg;
  ASSERT_TRUE(a->SignIn("demo-" + std::string(kHospA)).ok());
  ASSERT_TRUE(a->Call("1101", person).ok());

  // Deactivated in the register (as the admin API does): the gate closes once it re-reads the
  // sign-in, and 9001 refuses a new one.
  auto inst = ledger_->FindInstitution(kHospA);
  ASSERT_TRUE(inst);
  inst->active = false;
  LedgerWrite w;
  w.institutions.push_back(*inst);
  ASSERT_EQ(ledger_->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
  clock_.Set(clock_.Now() + 31s);
  r = a->Call("1101", person);
  EXPECT_EQ(r.infcode, -1);
  EXPECT_NE(r.err_msg.find("not active"), std::string::npos) << r.err_msg;
  EXPECT_EQ(a->SignIn("demo-" + std::string(kHospA)).infcode, -1);
}

TEST_F(HisFlowTest, AnotherInstitutionsVisitIsInvisibleAndUntouched) {
  auto a = Client(kHospA);
  auto b = Client(kHospB);
  std::string id = RegisterOutpatient(*a, kEmployee, "2025-03-01");
  ASSERT_TRUE(
      a->Call("2204", "{\"feedetail\":[" +
                          FeeLine("1", id, kEmployee, "001102000010000", "1", "10", "10.00") + "]}")
          .ok());
  // B cannot add fees, settle, cancel fees or query A's visit.
  auto fees = b->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("2", id, kEmployee, "001102000010000", "1", "10", "10.00") + "]}");
  EXPECT_EQ(fees.infcode, -1);
  EXPECT_NE(fees.err_msg.find("no visit"), std::string::npos) << fees.err_msg;
  EXPECT_EQ(b->Call("2207", SettleInput(id, kEmployee, "10.00")).infcode, -1);
  EXPECT_EQ(b->Call("2205", R"({"data":{"mdtrt_id":")" + id +
                                R"(","chrg_bchno":"0000","psn_no":")" + kEmployee + R"("}})")
                .infcode,
            -1);
  auto setl = a->Call("2207", SettleInput(id, kEmployee, "10.00"));
  ASSERT_TRUE(setl.ok()) << setl.err_msg;
  const std::string setl_id = At(setl, "/setlinfo/setl_id");
  auto steal = b->Call("2208", R"({"data":{"setl_id":")" + setl_id + R"(","mdtrt_id":")" + id +
                                   R"(","psn_no":")" + kEmployee + R"("}})");
  EXPECT_EQ(steal.infcode, -1);
  auto peek = b->Call(
      "5203", R"({"data":{"setl_id":")" + setl_id + R"(","psn_no":")" + kEmployee + R"("}})");
  EXPECT_EQ(peek.infcode, -1);
  // Nothing changed: one live settlement of A, one live line.
  auto live = ledger_->LiveSettlementOfVisit(kHospA, id);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->setl_id, setl_id);
  EXPECT_EQ(ledger_->FeeLinesOf(kHospA, id)->size(), 1u);
  EXPECT_TRUE(ledger_->FeeLinesOf(kHospB, id)->empty());
}

TEST_F(HisFlowTest, ReplayedMsgidGetsTheSameReplyAndNoSecondEffect) {
  auto c = Client(kHospA);
  std::string id = RegisterOutpatient(*c, kEmployee, "2025-03-01");
  const std::string fees = "{\"feedetail\":[" +
                           FeeLine("1", id, kEmployee, "001102000010000", "1", "10", "10.00") +
                           "]}";
  auto up = c->Call("2204", fees, "FEEMSG1");
  ASSERT_TRUE(up.ok()) << up.err_msg;
  auto up_again = c->Call("2204", fees, "FEEMSG1");
  ASSERT_TRUE(up_again.ok()) << up_again.err_msg;
  EXPECT_EQ(up_again.output_json, up.output_json);
  EXPECT_EQ(ledger_->FeeLinesOf(kHospA, id)->size(), 1u);

  auto setl = c->Call("2207", SettleInput(id, kEmployee, "10.00"), "SETLMSG1");
  ASSERT_TRUE(setl.ok()) << setl.err_msg;
  const auto acc = ledger_->Accumulators(kEmployee, "310", 2025);
  const int64_t balance = ledger_->AccountBalance(std::string("acct:") + kEmployee);
  for (int i = 0; i < 3; ++i) {
    auto replay = c->Call("2207", SettleInput(id, kEmployee, "10.00"), "SETLMSG1");
    ASSERT_TRUE(replay.ok()) << replay.err_msg;
    EXPECT_EQ(replay.output_json, setl.output_json);
  }
  EXPECT_EQ(ledger_->Accumulators(kEmployee, "310", 2025), acc);
  EXPECT_EQ(ledger_->AccountBalance(std::string("acct:") + kEmployee), balance);
  EXPECT_EQ(ledger_->SettlementsOf(kEmployee, "310", 2025).size(), 1u);
}

TEST_F(HisFlowTest, AMsgidReusedForAnotherTransactionIsRefused) {
  auto c = Client(kHospA);
  std::string id = RegisterOutpatient(*c, kEmployee, "2025-03-01");
  const std::string fees = "{\"feedetail\":[" +
                           FeeLine("1", id, kEmployee, "001102000010000", "1", "10", "10.00") +
                           "]}";
  ASSERT_TRUE(c->Call("2204", fees, "SAMEMSG").ok());
  // The 2204's msgid sent again as a settlement: not a retry, refused, nothing settled.
  auto reused = c->Call("2207", SettleInput(id, kEmployee, "10.00"), "SAMEMSG");
  EXPECT_EQ(reused.infcode, -1);
  EXPECT_NE(reused.err_msg.find("msgid: SAMEMSG was already used for transaction 2204"),
            std::string::npos)
      << reused.err_msg;
  EXPECT_FALSE(ledger_->LiveSettlementOfVisit(kHospA, id));
}

TEST_F(HisFlowTest, BadInputIsRefusedWithTheFieldAndChangesNothing) {
  auto c = Client(kHospA);
  std::string id = RegisterOutpatient(*c, kEmployee, "2025-03-01");
  auto bad_cnt = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001102000010000", "1.00001", "10", "10.00") + "]}");
  EXPECT_EQ(bad_cnt.infcode, -1);
  EXPECT_NE(bad_cnt.err_msg.find("feedetail[0].cnt"), std::string::npos) << bad_cnt.err_msg;
  auto bad_sum = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001102000010000", "2", "10", "10.00") + "]}");
  EXPECT_EQ(bad_sum.infcode, -1);
  EXPECT_NE(bad_sum.err_msg.find("feedetail[0].det_item_fee_sumamt"), std::string::npos)
      << bad_sum.err_msg;
  auto unknown = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001102000019999", "1", "10", "10.00") + "]}");
  EXPECT_EQ(unknown.infcode, -1) << unknown.output_json;
  auto no_psn = c->Call(
      "2201", R"({"data":{"insutype":"310","begntime":"2025-03-01 09:00:00","ipt_otp_no":"X"}})");
  EXPECT_EQ(no_psn.infcode, -1);
  EXPECT_NE(no_psn.err_msg.find("data.psn_no"), std::string::npos) << no_psn.err_msg;
  auto not_insured = c->Call(
      "2201", R"({"data":{"psn_no":")" + std::string(kEmployee) +
                  R"(","insutype":"390","begntime":"2025-03-01 09:00:00","ipt_otp_no":"X"}})");
  EXPECT_EQ(not_insured.infcode, -1);
  EXPECT_NE(not_insured.err_msg.find("data.insutype"), std::string::npos) << not_insured.err_msg;
  auto unknown_infno = c->Call("2999", "{}");
  EXPECT_EQ(unknown_infno.infcode, -1);
  EXPECT_TRUE(ledger_->FeeLinesOf(kHospA, id)->empty());
  EXPECT_FALSE(ledger_->LiveSettlementOfVisit(kHospA, id));
}

// Two institutions settle the same person at once, 15 visits each: the person's operations are
// serialised, so the year ends exactly as a sequential replay of the same visits in the order the
// ledger recorded them.
TEST_F(HisFlowTest, ConcurrentSettlementsOfOnePersonEqualASequentialReplay) {
  constexpr int kPerInstitution = 15;
  std::vector<std::string> setl_ids[2];
  std::thread threads[2];
  const char* codes[2] = {kHospA, kHospB};
  for (int t = 0; t < 2; ++t)
    threads[t] = std::thread([&, t] {
      auto c = Client(codes[t]);
      for (int i = 0; i < kPerInstitution; ++i) {
        auto r = OutpatientVisit(*c, kEmployee, "2025-03-01");
        EXPECT_TRUE(r.ok()) << r.err_msg;
        setl_ids[t].push_back(At(r, "/setlinfo/setl_id"));
      }
    });
  for (auto& t : threads) t.join();
  auto settled = ledger_->SettlementsOf(kEmployee, "310", 2025);
  ASSERT_EQ(settled.size(), size_t(2 * kPerInstitution));
  const auto concurrent_acc = ledger_->Accumulators(kEmployee, "310", 2025);
  std::vector<int64_t> concurrent_fund;
  for (const auto& s : settled) concurrent_fund.push_back(s.fund_pay_sumamt);
  std::vector<std::string> order;
  for (const auto& s : settled) order.push_back(s.fixmedins_code);

  // The same visits, one after another, in the recorded order, on a fresh ledger.
  Stop();
  Start(false, "");
  auto a = Client(kHospA);
  auto b = Client(kHospB);
  for (size_t i = 0; i < order.size(); ++i) {
    auto r = OutpatientVisit(order[i] == kHospA ? *a : *b, kEmployee, "2025-03-01");
    ASSERT_TRUE(r.ok()) << r.err_msg;
  }
  auto replayed = ledger_->SettlementsOf(kEmployee, "310", 2025);
  ASSERT_EQ(replayed.size(), settled.size());
  for (size_t i = 0; i < replayed.size(); ++i)
    EXPECT_EQ(replayed[i].fund_pay_sumamt, concurrent_fund[i]) << "settlement " << i;
  EXPECT_EQ(ledger_->Accumulators(kEmployee, "310", 2025), concurrent_acc);
}

TEST_F(HisFlowTest, SignaturesAreVerifiedWhenRequired) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  Stop();
  Start(true, key->public_key().ToHex());
  HisClientOptions o;
  o.port = port_;
  o.fixmedins_code = kHospB;
  HisClient c(o);
  // Unsigned sign-in: refused.
  auto unsigned_call = c.SignIn("demo-" + std::string(kHospB));
  EXPECT_EQ(unsigned_call.infcode, -1);
  EXPECT_NE(unsigned_call.err_msg.find("signtype"), std::string::npos) << unsigned_call.err_msg;

  // Signed by hand: the envelope's fields (docs/formats/signature.md), then sign and send raw.
  auto send_signed = [&](const std::string& infno, const std::string& input, bool tamper) {
    const std::string msgid = c.NextMsgid();
    std::vector<std::pair<std::string, std::string>> fields = {
        {"infno", infno}, {"msgid", msgid}, {"fixmedins_code", kHospB}, {"sign_no", c.sign_no()}};
    auto sign = SignEnvelope(*key, CanonicalSigningString(fields, input));
    EXPECT_TRUE(sign.ok());
    std::string body = R"({"infno":")" + infno + R"(","msgid":")" + msgid +
                       R"(","fixmedins_code":")" + kHospB + R"(","sign_no":")" + c.sign_no() +
                       R"(","signtype":"SM2","sign":")" + *sign + R"(","input":)" +
                       (tamper ? input.substr(0, input.size() - 2) + " }}" : input) + "}";
    auto raw = c.AdminCall("POST", "/fsi/api/rsfComIfsService/callService", body, "");
    CallResult r;
    EXPECT_TRUE(ParseReplyEnvelope(raw.body, r)) << raw.body;
    return r;
  };
  auto in = send_signed("9001", R"({"signIn":{"opter_no":"001","credential":"demo-H37990000002"}})",
                        false);
  ASSERT_EQ(in.infcode, 0) << in.err_msg;
  c.set_sign_no(*JsonTextAt(in.output_json, "/signinoutb/sign_no"));
  const std::string person = R"({"data":{"psn_no":")" + std::string(kEmployee) + R"("}})";
  EXPECT_EQ(send_signed("1101", person, false).infcode, 0);
  auto tampered = send_signed("1101", person, true);
  EXPECT_EQ(tampered.infcode, -1);
  EXPECT_NE(tampered.err_msg.find("sign:"), std::string::npos) << tampered.err_msg;
  EXPECT_EQ(c.Call("1101", person).infcode, -1);  // the client's own unsigned envelope
}

// A person of the register treated in another province (the envelope's mdtrtarea_admvs 440300,
// the insured place 379900): without a filing the stay is cross_unfiled (the employee policy's −20
// points); an emergency filing recorded during the stay (补办, written to the ledger) makes it
// cross_emergency (−10); a long-term filing put through the admin API, cross_filed at the home
// standard; revoking it falls back to the emergency filing. 11000.00 of 甲类 care, 三级, first
// admission: 起付 1000, then 85% (filed), 75% (emergency), 65% (unfiled) of the 10000 above it.
TEST_F(HisFlowTest, CrossProvinceStayIsSettledUnderTheFilingThatApplies) {
  HisClientOptions o;
  o.port = port_;
  o.fixmedins_code = kHospA;
  o.mdtrtarea_admvs = "440300";
  HisClient c(o);
  ASSERT_TRUE(c.SignIn("demo-" + std::string(kHospA)).ok());
  auto adm = c.Call(
      "2401",
      R"({"mdtrtinfo":{"psn_no":")" + std::string(kEmployee) +
          R"(","insutype":"310","begntime":"2025-04-02 08:00:00","mdtrt_cert_type":"02","mdtrt_cert_no":"","med_type":"21","ipt_no":"ZY-X1","adm_dept_codg":"A04","adm_dept_name":"外科","dise_codg":"K80.101","dise_name":"胆囊结石"},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"K80.101","diag_name":"胆囊结石"}]})");
  ASSERT_TRUE(adm.ok()) << adm.err_msg;
  const std::string id = At(adm, "/result/mdtrt_id");
  auto fees = c.Call(
      "2301", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001110000010000", "1", "11000", "11000.00") + "]}");
  ASSERT_TRUE(fees.ok()) << fees.err_msg;
  auto dscg = c.Call(
      "2402",
      R"({"dscginfo":{"mdtrt_id":")" + id + R"(","psn_no":")" + kEmployee +
          R"(","insutype":"310","endtime":"2025-04-14 10:00:00","dise_codg":"K80.101","dscg_way":"1"},"diseinfo":[]})");
  ASSERT_TRUE(dscg.ok()) << dscg.err_msg;
  const std::string input = SettleInput(id, kEmployee, "11000.00", "");
  auto expect_class = [&](const CallResult& r, const std::string& cross, const std::string& hifp) {
    ASSERT_TRUE(r.ok()) << r.err_msg;
    EXPECT_EQ(At(r, "/setlinfo/mdtrtarea_admvs"), "440300");
    EXPECT_EQ(At(r, "/setlinfo/insuplc_admdvs"), "379900");
    EXPECT_EQ(At(r, "/setlinfo/cross_region"), cross);
    EXPECT_EQ(At(r, "/setlinfo/act_pay_dedc"), "1000.00");
    EXPECT_EQ(At(r, "/setlinfo/hifp_pay"), hifp);
    EXPECT_EQ(At(r, "/setlinfo/medfee_sumamt"), "11000.00");
  };

  auto unfiled = c.Call("2303", input);
  expect_class(unfiled, "cross_unfiled", "6500.00");
  EXPECT_NE(At(unfiled, "/setlinfo/setl_proc_info").find("异地未备案"), std::string::npos)
      << At(unfiled, "/setlinfo/setl_proc_info");

  // An emergency filed afterwards, from the 10th (during the stay), written to the ledger.
  LedgerWrite emergency;
  emergency.filings = {
      FilingRecord{"BA-E1", kEmployee, "emergency", "440300", "2025-04-10", "2025-04-20", false}};
  ASSERT_EQ(ledger_->SubmitAndWait(std::move(emergency)), WriteStatus::kDurable);
  auto emergency_pre = c.Call("2303", input);
  expect_class(emergency_pre, "cross_emergency", "7500.00");
  EXPECT_NE(At(emergency_pre, "/setlinfo/setl_proc_info").find("急诊"), std::string::npos)
      << At(emergency_pre, "/setlinfo/setl_proc_info");

  // A long-term filing for the whole province, through the admin API (durable before it answers).
  AdminApi admin(*region_, *ledger_, {{"tok-filing", "clerk"}});
  auto put = [&](const std::string& body) {
    std::promise<AdminResponse> answer;
    admin.Handle(AdminRequest{"PUT", "/admin/persons/" + std::string(kEmployee) + "/filings/BA-L1",
                              body, "Bearer tok-filing"},
                 [&answer](AdminResponse r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  };
  const std::string long_term =
      R"({"filing_type":"long_term","mdtrtarea_admvs":"440000","begndate":"2025-01-01")";
  AdminResponse filed = put(long_term + "}");
  ASSERT_EQ(filed.status, 201) << filed.body;
  expect_class(c.Call("2303", input), "cross_filed", "8500.00");
  AdminResponse revoked = put(long_term + R"(,"revoked":true})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  expect_class(c.Call("2303", input), "cross_emergency", "7500.00");
  ASSERT_EQ(put(long_term + "}").status, 200);

  auto setl = c.Call("2304", input);
  expect_class(setl, "cross_filed", "8500.00");
  auto stored = ledger_->FindSettlement(At(setl, "/setlinfo/setl_id"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->fund_pay_sumamt, 850000);
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

// 3101 (事前) and 3102 (事中): the rule base over the encounters the HIS sends. A female-only
// operation ordered for a man is a certain, refusing scope_sex finding naming the order; the same
// order for a woman is not; nothing is written either way.
TEST_F(HisFlowTest, PreAndDuringReviewNameTheRuleTheLineAndTheAmount) {
  auto a = Client(kHospA);
  auto request = [](const std::string& gend) {
    return R"({"data":{"patn_id":")" + std::string(kEmployee) + R"(","gend":")" + gend +
           R"(","brdy":"1982-06-15","insutype":"310","curr_mdtrt_id":"ZY1",)"
           R"("fsi_encounter_dtos":[{"mdtrt_id":"ZY1","medins_id":")" +
           std::string(kHospA) +
           R"(","medins_lv":"3","med_type":"21","adm_date":"2025-05-06 08:00:00",)"
           R"("dscg_date":"2025-05-12 10:00:00","dept_codg":"A07",)"
           R"("fsi_diagnose_dtos":[{"dise_codg":"C50.900","maindiag_flag":"1"}],)"
           R"("fsi_order_dtos":[{"rx_id":"R1","hilist_code":"003311010050000","cnt":"1",)"
           R"("pric":"3200","sumamt":"3200.00","fee_ocur_time":"2025-05-07"}]}]}})";
  };
  for (const char* infno : {"3101", "3102"}) {
    auto r = a->Call(infno, request("1"));
    ASSERT_TRUE(r.ok()) << infno << ": " << r.err_msg;
    EXPECT_NE(r.output_json.find(R"("vola_bhvr_type":"scope_sex")"), std::string::npos)
        << r.output_json;
    EXPECT_NE(r.output_json.find(R"("jr_id":["R1"])"), std::string::npos) << r.output_json;
    EXPECT_NE(r.output_json.find(R"("vola_amt":3200)"), std::string::npos) << r.output_json;
    auto ok = a->Call(infno, request("2"));
    ASSERT_TRUE(ok.ok()) << ok.err_msg;
    EXPECT_EQ(ok.output_json.find("scope_sex"), std::string::npos) << ok.output_json;
  }
  auto bad = a->Call("3101", R"({"data":{"gend":"1"}})");
  EXPECT_EQ(bad.infcode, -1);
  EXPECT_NE(bad.err_msg.find("patn_id"), std::string::npos) << bad.err_msg;
}

// 事中 review inside settlement, `enforce`: pre-settlement (2206) reports what the rules say; 2207
// is refused naming the rules, the fee lines and the amount, with the findings in the output, and
// changes nothing; once the HIS cancels the batch and uploads it corrected, 2207 settles.
TEST_F(HisFlowTest, SettlementReviewRefusesTheBrokenLinesAndSettlesTheMendedOnes) {
  Stop();
  settlement_review_ = SettlementReviewMode::kEnforce;
  Start(false, "");
  auto c = Client(kHospA);
  const std::string id = RegisterOutpatient(*c, kEmployee, "2025-03-01");
  auto up = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("1", id, kEmployee, "001102000010000", "1", "10", "10.00") + "," +
                  FeeLine("2", id, kEmployee, "XJ01CAB007A002010101373", "24", "0.10", "2.40") +
                  "," + FeeLine("3", id, kEmployee, "002501010150000", "1", "20", "20.00") + "]}");
  ASSERT_TRUE(up.ok()) << up.err_msg;
  const auto before = ledger_->Accumulators(kEmployee, "310", 2025);
  const int64_t account = ledger_->AccountBalance(std::string("acct:") + kEmployee);

  auto pre = c->Call("2206", SettleInput(id, kEmployee, "32.40"));
  ASSERT_TRUE(pre.ok()) << pre.err_msg;
  EXPECT_EQ(At(pre, "/review_result/0/rule_id"), "GZ-ST-003") << pre.output_json;
  EXPECT_EQ(At(pre, "/review_result/0/jr_id/0"), "2");
  EXPECT_EQ(At(pre, "/review_result/0/sev_deg"), "1");
  EXPECT_EQ(At(pre, "/review_result/1/rule_id"), "GZ-ST-006");

  auto refused = c->Call("2207", SettleInput(id, kEmployee, "32.40"));
  EXPECT_EQ(refused.infcode, -1);
  for (const char* part : {"GZ-ST-003", "GZ-ST-006", "feedetl_sn 2", "amount 1.60", "amount 0.48"})
    EXPECT_NE(refused.err_msg.find(part), std::string::npos) << part << " in " << refused.err_msg;
  EXPECT_EQ(At(refused, "/review_result/0/vola_amt"), "1.60") << refused.output_json;
  EXPECT_FALSE(ledger_->LiveSettlementOfVisit(kHospA, id));
  EXPECT_EQ(ledger_->Accumulators(kEmployee, "310", 2025), before);
  EXPECT_EQ(ledger_->AccountBalance(std::string("acct:") + kEmployee), account);
  EXPECT_EQ(ledger_->JournalSum(), 0);

  // The batch cancelled and uploaded again: a 3-day course (8 a day) at the procurement price.
  auto cancel = c->Call("2205", R"({"data":{"mdtrt_id":")" + id +
                                    R"(","chrg_bchno":"B1","psn_no":")" + kEmployee + R"("}})");
  ASSERT_TRUE(cancel.ok()) << cancel.err_msg;
  std::string course =
      FeeLine("5", id, kEmployee, "XJ01CAB007A002010101373", "24", "0.08", "1.92", "B2");
  course.insert(course.size() - 1, R"(,"prd_days":"3")");
  auto again = c->Call(
      "2204", "{\"feedetail\":[" +
                  FeeLine("4", id, kEmployee, "001102000010000", "1", "10", "10.00", "B2") + "," +
                  course + "," +
                  FeeLine("6", id, kEmployee, "002501010150000", "1", "20", "20.00", "B2") + "]}");
  ASSERT_TRUE(again.ok()) << again.err_msg;
  auto setl = c->Call("2207", SettleInput(id, kEmployee, "31.92"));
  ASSERT_TRUE(setl.ok()) << setl.err_msg;
  EXPECT_NE(setl.output_json.find(R"("review_result":[])"), std::string::npos) << setl.output_json;
  EXPECT_EQ(At(setl, "/setlinfo/medfee_sumamt"), "31.92");
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

// A stay's lines are reviewed on the day each was charged: 8 doses a day on two days is within the
// drug's 8 a day; the same 16 doses charged on one day are not (GZ-ST-003, naming that day's
// lines).
TEST_F(HisFlowTest, SettlementReviewCountsAStaysLinesOnTheirOwnDays) {
  Stop();
  settlement_review_ = SettlementReviewMode::kEnforce;
  Start(false, "");
  auto c = Client(kHospA);
  auto stay = [&](const std::string& ipt_no, const std::string& second_day) {
    auto adm = c->Call(
        "2401",
        R"({"mdtrtinfo":{"psn_no":")" + std::string(kRetiree) +
            R"(","insutype":"310","begntime":"2025-04-02 08:00:00","mdtrt_cert_type":"02","mdtrt_cert_no":"","med_type":"21","ipt_no":")" +
            ipt_no +
            R"(","adm_dept_codg":"A04","adm_dept_name":"外科","dise_codg":"K80.101","dise_name":"胆囊结石"},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"K80.101","diag_name":"胆囊结石"}]})");
    EXPECT_TRUE(adm.ok()) << adm.err_msg;
    const std::string id = At(adm, "/result/mdtrt_id");
    auto on = [](std::string line, const std::string& day) {
      return line.replace(line.find("2025-03-01"), 10, day);
    };
    const std::string drug = "XJ01CAB007A002010101373";
    auto fees = c->Call(
        "2301", "{\"feedetail\":[" +
                    on(FeeLine("1", id, kRetiree, drug, "8", "0.08", "0.64"), "2025-04-03") + "," +
                    on(FeeLine("2", id, kRetiree, drug, "8", "0.08", "0.64"), second_day) + "]}");
    EXPECT_TRUE(fees.ok()) << fees.err_msg;
    auto dscg = c->Call(
        "2402",
        R"({"dscginfo":{"mdtrt_id":")" + id + R"(","psn_no":")" + kRetiree +
            R"(","insutype":"310","endtime":"2025-04-06 10:00:00","dise_codg":"K80.101","dscg_way":"1"},"diseinfo":[]})");
    EXPECT_TRUE(dscg.ok()) << dscg.err_msg;
    return c->Call("2303", SettleInput(id, kRetiree, "1.28", ""));
  };
  auto two_days = stay("ZY101", "2025-04-04");
  ASSERT_TRUE(two_days.ok()) << two_days.err_msg;
  EXPECT_EQ(two_days.output_json.find("GZ-ST-003"), std::string::npos) << two_days.output_json;
  auto one_day = stay("ZY102", "2025-04-03");
  ASSERT_TRUE(one_day.ok()) << one_day.err_msg;
  EXPECT_EQ(At(one_day, "/review_result/0/rule_id"), "GZ-ST-003") << one_day.output_json;
}

// What only the platform can see: the patient is in hospital A when hospital B settles an
// outpatient visit. B's settlement carries A's stay as evidence (GZ-VI-002 flags, so it settles);
// the same visit a month before the admission has no such finding.
TEST_F(HisFlowTest, SettlementReviewSeesTheStayAtAnotherInstitution) {
  Stop();
  settlement_review_ = SettlementReviewMode::kEnforce;
  Start(false, "");
  auto a = Client(kHospA);
  auto b = Client(kHospB);
  auto outpatient = [&](const std::string& day) {
    const std::string id = RegisterOutpatient(*b, kRetiree, day);
    auto up = b->Call("2204",
                      "{\"feedetail\":[" +
                          FeeLine("1", id, kRetiree, "001102000010000", "1", "10", "10.00") + "," +
                          FeeLine("2", id, kRetiree, "002501010150000", "1", "20", "20.00") + "]}");
    EXPECT_TRUE(up.ok()) << up.err_msg;
    return b->Call("2207", SettleInput(id, kRetiree, "30.00"));
  };
  auto before = outpatient("2025-03-03");
  ASSERT_TRUE(before.ok()) << before.err_msg;
  EXPECT_EQ(before.output_json.find("GZ-VI-002"), std::string::npos) << before.output_json;

  auto adm = a->Call(
      "2401",
      R"({"mdtrtinfo":{"psn_no":")" + std::string(kRetiree) +
          R"(","insutype":"310","begntime":"2025-04-02 08:00:00","mdtrt_cert_type":"02","mdtrt_cert_no":"","med_type":"21","ipt_no":"ZY002","adm_dept_codg":"A04","adm_dept_name":"外科","dise_codg":"K80.101","dise_name":"胆囊结石"},"diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"K80.101","diag_name":"胆囊结石"}]})");
  ASSERT_TRUE(adm.ok()) << adm.err_msg;
  const std::string stay = At(adm, "/result/mdtrt_id");
  auto during = outpatient("2025-04-05");
  ASSERT_TRUE(during.ok()) << during.err_msg;
  EXPECT_EQ(At(during, "/review_result/0/rule_id"), "GZ-VI-002") << during.output_json;
  EXPECT_NE(At(during, "/review_result/0/vola_cont").find(stay), std::string::npos)
      << during.output_json;
  // Kept with the settlement: 5203 returns the same findings.
  auto query = b->Call("5203", R"({"data":{"setl_id":")" + At(during, "/setlinfo/setl_id") +
                                   R"(","psn_no":")" + kRetiree + R"(","mdtrt_id":")" +
                                   At(during, "/setlinfo/mdtrt_id") + R"("}})");
  ASSERT_TRUE(query.ok()) << query.err_msg;
  EXPECT_NE(query.output_json.find("GZ-VI-002"), std::string::npos) << query.output_json;
}

// `off`: settlement runs no rules and the bill has no review_result (3102 still answers).
TEST_F(HisFlowTest, SettlementReviewOffSettlesWithoutFindings) {
  Stop();
  settlement_review_ = SettlementReviewMode::kOff;
  Start(false, "");
  auto c = Client(kHospA);
  auto setl = OutpatientVisit(*c, kEmployee, "2025-03-01");
  ASSERT_TRUE(setl.ok()) << setl.err_msg;
  EXPECT_EQ(setl.output_json.find("review_result"), std::string::npos) << setl.output_json;
}

}  // namespace
}  // namespace yibao
