// The admin API called through Handle() against a temp SQLite ledger seeded from a temp COPY of
// the sample region (the repository's region is never modified): every route's success and its
// field-named failures, auth, audit, contributions and the journal, and installing policies and
// catalogues (a good one swaps the region, a bad one leaves files and region as they were).
#include "platform/admin_api.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "ledger/sqlite_ledger.h"
#include "platform/register_seed.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A parsed JSON answer; Str("a.b") / Num("a.b[0].c") follow a JSON pointer-ish path.
class Json {
 public:
  explicit Json(const std::string& text) : text_(text) {
    if (parser_.parse(text_).get(root_)) ADD_FAILURE() << "not JSON: " << text_;
  }
  simdjson::dom::element At(std::string_view path) const {
    std::string pointer;
    for (char c : path) {
      if (c == '.' || c == '[') {
        pointer += '/';
      } else if (c != ']') {
        pointer += c;
      }
    }
    simdjson::dom::element e;
    if (root_.at_pointer("/" + pointer).get(e)) ADD_FAILURE() << "no " << path << " in " << text_;
    return e;
  }
  bool Has(std::string_view path) const {
    std::string pointer;
    for (char c : path) pointer += (c == '.' || c == '[') ? '/' : c;
    std::erase(pointer, ']');
    simdjson::dom::element e;
    return !root_.at_pointer("/" + pointer).get(e);
  }
  std::string Str(std::string_view path) const {
    std::string_view s;
    if (At(path).get_string().get(s)) ADD_FAILURE() << path << " is not a string in " << text_;
    return std::string(s);
  }
  // A number as the text it was written with (amounts are written with two decimals).
  std::string Num(std::string_view path) const {
    auto e = At(path);
    double d = 0;
    if (e.get_double().get(d)) ADD_FAILURE() << path << " is not a number in " << text_;
    return fmt::format("{:.2f}", d);
  }
  int64_t Int(std::string_view path) const {
    int64_t v = 0;
    if (At(path).get_int64().get(v)) ADD_FAILURE() << path << " is not an integer in " << text_;
    return v;
  }
  bool Bool(std::string_view path) const {
    bool b = false;
    if (At(path).get_bool().get(b)) ADD_FAILURE() << path << " is not a bool in " << text_;
    return b;
  }
  size_t Size(std::string_view path) const {
    simdjson::dom::array a;
    if (At(path).get_array().get(a)) ADD_FAILURE() << path << " is not an array in " << text_;
    return a.size();
  }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

constexpr const char* kAlice = "tok-alice-0123456789";
constexpr const char* kBob = "tok-bob-9876543210";

std::string PersonJson(std::string_view psn_type = "resident_adult",
                       std::string_view certno = "379900199001010019",
                       std::string_view extra_base = "") {
  return fmt::format(
      R"({{"baseinfo":{{"psn_cert_type":"01","certno":"{}","psn_name":"测试人","gend":"1",)"
      R"("brdy":"1990-01-01","naty":"01"{}}},)"
      R"("insuinfo":[{{"insutype":"390","psn_type":"{}","psn_insu_stas":"1",)"
      R"("psn_insu_date":"2020-01-01"}}],)"
      R"("idetinfo":[{{"psn_idet_type":"dibao","begntime":"2021-01-01","endtime":""}}]}})",
      certno, extra_base, psn_type);
}

class AdminApiTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("yibao-admin-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    region_dir_ = dir_ / "qinglan";
    fs::copy(fs::path(YIBAO_SOURCE_DIR) / "regions/qinglan", region_dir_,
             fs::copy_options::recursive);
    auto l = OpenSqliteLedger((dir_ / "ledger.db").string());
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    ledger_ = std::move(*l);
    auto r = LoadRegion(region_dir_.string());
    ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
    auto region = std::make_shared<const Region>(std::move(*r));
    auto seeded = SeedLedger(*region, *ledger_);
    ASSERT_TRUE(seeded.ok()) << FormatDiagnostics(seeded.errors());
    holder_ = std::make_unique<RegionHolder>(region);
    MakeApi();
  }
  void TearDown() override {
    api_.reset();
    holder_.reset();
    ledger_.reset();
    fs::remove_all(dir_);
  }
  void MakeApi() {
    api_.reset();
    api_ = std::make_unique<AdminApi>(
        *holder_, *ledger_, std::map<std::string, std::string>{{kAlice, "alice"}, {kBob, "bob"}},
        &clock_);
  }

  AdminResponse Call(std::string method, std::string target, std::string body = "",
                     std::string auth = std::string("Bearer ") + kAlice) {
    std::promise<AdminResponse> p;
    auto f = p.get_future();
    api_->Handle(
        AdminRequest{std::move(method), std::move(target), std::move(body), std::move(auth)},
        [&p](AdminResponse r) { p.set_value(std::move(r)); });
    return f.get();
  }
  // The "error" of a failed call, checking its status.
  std::string ErrorOf(const AdminResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    return Json(r.body).Has("error") ? Json(r.body).Str("error") : "";
  }
  std::vector<AuditEntry> Audit() { return ledger_->AuditLog(1000); }

  FixedClock clock_{*ParseTime("2025-03-01 10:00:00")};
  fs::path dir_, region_dir_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<RegionHolder> holder_;
  std::unique_ptr<AdminApi> api_;
};

// ---- Auth and routing ---------------------------------------------------------------------------

TEST_F(AdminApiTest, MissingOrWrongTokensAre401) {
  const std::string target = "/admin/persons/37990000000000000001";
  EXPECT_THAT(ErrorOf(Call("GET", target, "", ""), 401), HasSubstr("authorization: missing"));
  EXPECT_THAT(ErrorOf(Call("GET", target, "", "Bearer nope"), 401),
              HasSubstr("authorization: unknown"));
  EXPECT_EQ(Call("GET", target, "", std::string("Basic ") + kAlice).status, 401);
  EXPECT_EQ(Call("GET", target, "", std::string("Bearer ") + kAlice + "x").status, 401);
  EXPECT_EQ(Call("GET", target, "", "Bearer tok-alice").status, 401);  // a prefix is not enough
  EXPECT_EQ(Call("GET", target, "", "Bearer ").status, 401);
  // Writes are refused too, and nothing is written.
  size_t audit = Audit().size();
  EXPECT_EQ(Call("PUT", "/admin/employers/E1", R"({"emp_name":"x"})", "").status, 401);
  EXPECT_EQ(Audit().size(), audit);
  EXPECT_FALSE(ledger_->FindEmployer("E1"));
  // The scheme is case-insensitive; each token is its operator.
  EXPECT_EQ(Call("GET", target, "", std::string("bearer ") + kBob).status, 200);
}

TEST_F(AdminApiTest, UnknownRoutesAre404AndWrongMethods405) {
  EXPECT_THAT(ErrorOf(Call("GET", "/admin/nothing"), 404), HasSubstr("path: no admin route"));
  EXPECT_EQ(Call("GET", "/admin/persons").status, 404);
  EXPECT_EQ(Call("GET", "/admin/persons/1/2").status, 404);
  EXPECT_THAT(ErrorOf(Call("DELETE", "/admin/persons/37990000000000000001"), 405),
              HasSubstr("use GET or PUT"));
  EXPECT_EQ(Call("GET", "/admin/contributions").status, 405);
  EXPECT_EQ(Call("POST", "/admin/institutions").status, 405);
  EXPECT_EQ(Call("GET", "/admin/persons/%zz").status, 400);
}

// ---- Persons
// --------------------------------------------------------------------------------------

TEST_F(AdminApiTest, GetPersonMirrors1101) {
  AdminResponse r = Call("GET", "/admin/persons/37990000000000000004");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Str("baseinfo.psn_no"), "37990000000000000004");
  EXPECT_EQ(j.Str("baseinfo.psn_cert_type"), "01");
  EXPECT_EQ(j.Str("baseinfo.certno"), "37990019611108009X");
  EXPECT_EQ(j.Str("baseinfo.psn_name"), "赵建国");
  EXPECT_EQ(j.Str("baseinfo.gend"), "1");
  EXPECT_EQ(j.Str("baseinfo.brdy"), "1961-11-08");
  EXPECT_EQ(j.Str("baseinfo.naty"), "01");
  ASSERT_EQ(j.Size("insuinfo"), 1u);
  EXPECT_EQ(j.Str("insuinfo[0].insutype"), "390");
  EXPECT_EQ(j.Str("insuinfo[0].psn_type"), "resident_elderly");
  EXPECT_EQ(j.Str("insuinfo[0].psn_insu_stas"), "1");
  EXPECT_EQ(j.Str("insuinfo[0].insuplc_admdvs"), "379900");
  EXPECT_EQ(j.Str("insuinfo[0].emp_no"), "");
  EXPECT_EQ(j.Str("insuinfo[0].cvlserv_flag"), "0");
  ASSERT_EQ(j.Size("idetinfo"), 1u);
  EXPECT_EQ(j.Str("idetinfo[0].psn_idet_type"), "dibao");
  EXPECT_EQ(j.Str("idetinfo[0].begntime"), "2019-03-01");
  EXPECT_THAT(ErrorOf(Call("GET", "/admin/persons/NOBODY"), 404), HasSubstr("psn_no: no person"));
}

TEST_F(AdminApiTest, PutPersonCreatesThenReplacesAndIsAudited) {
  const std::string target = "/admin/persons/P-NEW-1";
  AdminResponse r = Call("PUT", target, PersonJson());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r.body).Str("baseinfo.psn_no"), "P-NEW-1");
  auto p = ledger_->FindPerson("P-NEW-1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->certno, "379900199001010019");
  EXPECT_EQ(p->insurances.at(0).psn_type, "resident_adult");
  EXPECT_EQ(p->insurances.at(0).insuplc_admdvs, "379900");  // defaulted to the region
  EXPECT_EQ(p->identities.at(0).psn_idet_type, "dibao");
  // GET answers what was stored.
  AdminResponse got = Call("GET", target);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Json(got.body).Str("idetinfo[0].begntime"), "2021-01-01");
  // A national person-type code is stored as the region's id; replacing answers 200.
  r = Call("PUT", target, PersonJson("14"), std::string("Bearer ") + kBob);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ledger_->FindPerson("P-NEW-1")->insurances.at(0).psn_type, "resident_child");
  // Audited under each operator, never with the ID number.
  auto audit = Audit();
  ASSERT_GE(audit.size(), 2u);
  EXPECT_EQ(audit[0].operator_id, "bob");
  EXPECT_EQ(audit[0].action, "PUT /admin/persons/P-NEW-1");
  EXPECT_EQ(audit[1].operator_id, "alice");
  EXPECT_EQ(audit[1].action, "PUT /admin/persons/P-NEW-1");
  for (const auto& a : audit) EXPECT_THAT(a.action, Not(HasSubstr("379900199001010019")));
}

TEST_F(AdminApiTest, PutPersonNamesTheBadField) {
  const std::string target = "/admin/persons/P-BAD";
  size_t audit = Audit().size();
  struct Case {
    std::string body;
    std::string error;
  };
  std::string good = PersonJson();
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  std::vector<Case> cases = {
      {"{not json", "body: malformed JSON"},
      {"[]", "body: expected a JSON object"},
      {replace(R"("gend":"1")", R"("gend":"3")"), "baseinfo.gend: expected 1 (male) or 2 (female)"},
      {replace(R"("brdy":"1990-01-01")", R"("brdy":"1990-02-30")"),
       "baseinfo.brdy: expected a date YYYY-MM-DD"},
      {replace("379900199001010019", "379900199001010016"),
       "baseinfo.certno: wrong check digit: expected 9, got 6"},
      {replace(R"("gend":"1")", R"("gend":"2")"),
       "baseinfo.certno: sex digit of the ID number differs from gend"},
      {replace(R"("psn_name":"测试人",)", ""), "baseinfo.psn_name: missing"},
      {replace(R"("resident_adult")", R"("toddler")"),
       "insuinfo[0].psn_type: \"toddler\" is not a person type of region 379900"},
      {replace(R"("insutype":"390",)", ""), "insuinfo[0].insutype: missing"},
      {replace(R"("psn_insu_stas":"1")", R"("psn_insu_stas":"3")"),
       "insuinfo[0].psn_insu_stas: expected 1 (insured), 2 (suspended) or 4 (ended)"},
      {replace(R"("psn_insu_stas":"1")", R"("emp_no":"E404")"),
       "insuinfo[0].emp_no: no employer E404 (PUT /admin/employers first)"},
      {replace(R"("psn_idet_type":"dibao")", R"("psn_idet_type":"vip")"),
       "idetinfo[0].psn_idet_type: \"vip\" is not an identity of region 379900"},
      {replace(R"("endtime":"")", R"("endtime":"2020-01-01")"),
       "idetinfo[0].endtime: before begntime"},
      {replace(R"("naty":"01")", R"("naty":"01","nation":"汉")"), "baseinfo.nation: unknown field"},
      {replace(R"("naty":"01")", R"("naty":"01","psn_no":"OTHER")"),
       "baseinfo.psn_no: differs from the path"},
      {replace(R"("gend":"1")", R"("gend":true)"), "baseinfo.gend: expected a string"},
      {R"({"baseinfo":{"certno":"379900199001010019","psn_name":"x","gend":"1","brdy":"1990-01-01"}})",
       "insuinfo: missing"},
      {R"({"baseinfo":{"certno":"379900199001010019","psn_name":"x","gend":"1","brdy":"1990-01-01"},"insuinfo":[]})",
       "insuinfo: at least one insurance is needed (insutype)"},
      {R"({"insuinfo":[{"insutype":"390","psn_type":"student","psn_insu_date":"2020-01-01"}]})",
       "baseinfo: missing"},
      {replace(
           R"([{"insutype":"390")",
           R"([{"insutype":"390","psn_type":"student","psn_insu_date":"2020-01-01"},{"insutype":"390")"),
       "insuinfo[1].insutype: 390 given twice"},
  };
  for (const Case& c : cases) {
    AdminResponse r = Call("PUT", target, c.body);
    EXPECT_EQ(r.status, 400) << c.body << "\n" << r.body;
    EXPECT_EQ(Json(r.body).Str("error"), c.error) << c.body;
  }
  // A passport (not "01") is not checked against GB 11643.
  std::string passport = replace(R"("psn_cert_type":"01","certno":"379900199001010019")",
                                 R"("psn_cert_type":"02","certno":"E12345678")");
  EXPECT_EQ(Call("PUT", target, passport).status, 201);
  // Someone else's ID number is a conflict.
  ASSERT_EQ(Call("PUT", "/admin/persons/P-FIRST", PersonJson()).status, 201);
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/persons/P-OTHER", PersonJson()), 409),
            "baseinfo.certno: the ID number is registered to person P-FIRST");
  EXPECT_FALSE(ledger_->FindPerson("P-OTHER"));
  EXPECT_EQ(Audit().size(), audit + 2);  // only the passport and P-FIRST writes
  // Every problem is listed; the first is "error".
  AdminResponse many =
      Call("PUT", target, replace(R"("gend":"1","brdy":"1990-01-01")", R"("gend":"x","brdy":"x")"));
  ASSERT_EQ(many.status, 400);
  EXPECT_GE(Json(many.body).Size("errors"), 2u);
}

// ---- Cross-region filings
// -------------------------------------------------------------------------

TEST_F(AdminApiTest, FilingsArePutListedAndAudited) {
  const std::string person = "/admin/persons/37990000000000000001";
  AdminResponse r = Call("GET", person + "/filings");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body).Str("psn_no"), "37990000000000000001");
  EXPECT_EQ(Json(r.body).Size("filings"), 0u);

  r = Call("PUT", person + "/filings/BA-2",
           R"({"filing_type":"long_term","mdtrtarea_admvs":"440300","begndate":"2025-02-01"})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Str("filing_id"), "BA-2");
  EXPECT_EQ(j.Str("psn_no"), "37990000000000000001");
  EXPECT_EQ(j.Str("filing_type"), "long_term");
  EXPECT_EQ(j.Str("mdtrtarea_admvs"), "440300");
  EXPECT_EQ(j.Str("begndate"), "2025-02-01");
  EXPECT_EQ(j.Str("enddate"), "");
  EXPECT_FALSE(j.Bool("revoked"));
  auto stored = ledger_->FindFiling("BA-2");  // durable before the answer
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->psn_no, "37990000000000000001");
  EXPECT_FALSE(stored->revoked);
  // An admdvs may come as a number; an emergency filed afterwards (补办) with both dates.
  r = Call("PUT", person + "/filings/BA-1",
           R"({"filing_type":"emergency","mdtrtarea_admvs":110105,"begndate":"2025-01-10",)"
           R"("enddate":"2025-01-12","revoked":null})",
           std::string("Bearer ") + kBob);
  ASSERT_EQ(r.status, 201) << r.body;
  // Replaced whole: revoked (a filing is never deleted).
  r = Call("PUT", person + "/filings/BA-2",
           R"({"filing_id":"BA-2","psn_no":"37990000000000000001","filing_type":"long_term",)"
           R"("mdtrtarea_admvs":"440000","begndate":"2025-02-01","enddate":"2025-06-30",)"
           R"("revoked":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Json(r.body).Bool("revoked"));
  EXPECT_TRUE(ledger_->FindFiling("BA-2")->revoked);
  EXPECT_EQ(ledger_->FindFiling("BA-2")->mdtrtarea_admvs, "440000");

  r = Call("GET", person + "/filings");
  ASSERT_EQ(r.status, 200) << r.body;
  Json list(r.body);
  ASSERT_EQ(list.Size("filings"), 2u);
  EXPECT_EQ(list.Str("filings[0].filing_id"), "BA-1");  // by begndate
  EXPECT_EQ(list.Str("filings[0].mdtrtarea_admvs"), "110105");
  EXPECT_EQ(list.Str("filings[0].enddate"), "2025-01-12");
  EXPECT_EQ(list.Str("filings[1].filing_id"), "BA-2");
  EXPECT_TRUE(list.Bool("filings[1].revoked"));

  auto audit = Audit();
  ASSERT_GE(audit.size(), 3u);
  EXPECT_EQ(audit[0].action, "PUT /admin/persons/37990000000000000001/filings/BA-2");
  EXPECT_EQ(audit[0].operator_id, "alice");
  EXPECT_EQ(audit[1].action, "PUT /admin/persons/37990000000000000001/filings/BA-1");
  EXPECT_EQ(audit[1].operator_id, "bob");

  // A filing id is one person's: another person cannot take it over.
  const size_t audited = Audit().size();
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/persons/37990000000000000002/filings/BA-1",
                         R"({"filing_type":"referral","mdtrtarea_admvs":"440300",)"
                         R"("begndate":"2025-03-01"})"),
                    409),
            "filing_id: filing BA-1 belongs to person 37990000000000000001");
  EXPECT_EQ(ledger_->FindFiling("BA-1")->psn_no, "37990000000000000001");
  EXPECT_TRUE(ledger_->FilingsOf("37990000000000000002").empty());
  // No such person.
  EXPECT_THAT(ErrorOf(Call("GET", "/admin/persons/NOBODY/filings"), 404),
              HasSubstr("psn_no: no person NOBODY"));
  EXPECT_THAT(ErrorOf(Call("PUT", "/admin/persons/NOBODY/filings/BA-9",
                           R"({"filing_type":"referral","mdtrtarea_admvs":"440300",)"
                           R"("begndate":"2025-03-01"})"),
                      404),
              HasSubstr("psn_no: no person NOBODY"));
  EXPECT_FALSE(ledger_->FindFiling("BA-9"));
  EXPECT_EQ(Audit().size(), audited);
  // Methods.
  EXPECT_THAT(ErrorOf(Call("POST", person + "/filings"), 405), HasSubstr("use GET"));
  EXPECT_THAT(ErrorOf(Call("DELETE", person + "/filings/BA-1"), 405), HasSubstr("use PUT"));
  EXPECT_EQ(Call("GET", person + "/filings/BA-1/x").status, 404);
}

TEST_F(AdminApiTest, PutFilingNamesTheBadField) {
  const std::string target = "/admin/persons/37990000000000000001/filings/BA-BAD";
  const size_t audited = Audit().size();
  const std::string good =
      R"({"filing_type":"referral","mdtrtarea_admvs":"440300","begndate":"2025-03-01",)"
      R"("enddate":"2025-03-31","revoked":false})";
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string body;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"{not json", "body: malformed JSON"},
      {"[]", "body: expected a JSON object"},
      {replace(R"("referral")", R"("temporary")"),
       "filing_type: expected long_term, referral or emergency"},
      {replace(R"("filing_type":"referral",)", ""), "filing_type: missing"},
      {replace(R"("referral")", R"("")"), "filing_type: empty"},
      {replace(R"("440300")", R"("4403")"), "mdtrtarea_admvs: expected a 6-digit admdvs code"},
      {replace(R"("440300")", R"("44030X")"), "mdtrtarea_admvs: expected a 6-digit admdvs code"},
      {replace(R"("mdtrtarea_admvs":"440300",)", ""), "mdtrtarea_admvs: missing"},
      {replace(R"("begndate":"2025-03-01")", R"("begndate":"2025-02-30")"),
       "begndate: expected a date YYYY-MM-DD"},
      {replace(R"("begndate":"2025-03-01",)", ""), "begndate: missing"},
      {replace(R"("2025-03-31")", R"("2025-13-01")"), "enddate: expected a date YYYY-MM-DD"},
      {replace(R"("2025-03-31")", R"("2025-02-28")"), "enddate: before begndate"},
      {replace(R"("revoked":false)", R"("revoked":"no")"), "revoked: expected true or false"},
      {replace(R"("revoked":false)", R"("revoked":false,"place":"x")"), "place: unknown field"},
      {replace(R"("revoked":false)", R"("revoked":false,"filing_id":"BA-OTHER")"),
       "filing_id: differs from the path"},
      {replace(R"("revoked":false)", R"("revoked":false,"psn_no":"37990000000000000002")"),
       "psn_no: differs from the path"},
  };
  for (const Case& c : cases) {
    AdminResponse r = Call("PUT", target, c.body);
    EXPECT_EQ(r.status, 400) << c.body << "\n" << r.body;
    EXPECT_EQ(Json(r.body).Str("error"), c.error) << c.body;
  }
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/persons/37990000000000000001/filings/BA%20BAD", good), 400),
            "filing_id: expected 1 to 30 letters, digits, '-' or '_'");
  // Every problem is listed; the first is "error".
  AdminResponse many = Call("PUT", target, R"({"filing_type":"x","mdtrtarea_admvs":"1"})");
  ASSERT_EQ(many.status, 400);
  EXPECT_EQ(Json(many.body).Size("errors"), 3u);  // filing_type, mdtrtarea_admvs, begndate
  EXPECT_TRUE(ledger_->FilingsOf("37990000000000000001").empty());
  EXPECT_EQ(Audit().size(), audited);
  // The good body is stored.
  EXPECT_EQ(Call("PUT", target, good).status, 201);
  EXPECT_EQ(ledger_->FilingsOf("37990000000000000001").size(), 1u);
}

// ---- Employers
// ------------------------------------------------------------------------------------

TEST_F(AdminApiTest, Employers) {
  AdminResponse r = Call("GET", "/admin/employers/37990000010002");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body).Str("emp_name"), "青岚市纺织印染厂");
  EXPECT_EQ(Call("GET", "/admin/employers/E404").status, 404);
  r = Call("PUT", "/admin/employers/E-NEW", R"({"emp_name":"新单位"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r.body).Str("admdvs"), "379900");
  EXPECT_EQ(ledger_->FindEmployer("E-NEW")->emp_name, "新单位");
  r = Call("PUT", "/admin/employers/E-NEW", R"({"emp_name":"新单位二","admdvs":"379901"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ledger_->FindEmployer("E-NEW")->admdvs, "379901");
  EXPECT_EQ(Audit().front().action, "PUT /admin/employers/E-NEW");
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/employers/E-NEW", R"({"admdvs":"379901"})"), 400),
            "emp_name: missing");
  EXPECT_EQ(
      ErrorOf(Call("PUT", "/admin/employers/E-NEW", R"({"emp_name":"x","admdvs":"37"})"), 400),
      "admdvs: expected a 6-digit admdvs code");
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/employers/E%20X", R"({"emp_name":"x"})"), 400),
            "emp_no: expected 1 to 30 letters, digits, '-' or '_'");
  // Now persons may name it.
  std::string body = PersonJson();
  body.replace(body.find(R"("psn_insu_stas":"1")"), 19, R"("emp_no":"E-NEW")");
  EXPECT_EQ(Call("PUT", "/admin/persons/P-EMP", body).status, 201);
}

// ---- Institutions
// ---------------------------------------------------------------------------------

TEST_F(AdminApiTest, InstitutionsNeverShowTheCredentialHash) {
  AdminResponse list = Call("GET", "/admin/institutions");
  ASSERT_EQ(list.status, 200);
  Json j(list.body);
  EXPECT_EQ(j.Size("institutions"), holder_->Current()->institutions.size());
  EXPECT_EQ(j.Str("institutions[0].fixmedins_code"), "H37990000001");
  EXPECT_TRUE(j.Bool("institutions[0].has_credential"));
  for (const auto& i : ledger_->Institutions())
    EXPECT_EQ(list.body.find(i.credential_sm3), std::string::npos) << i.fixmedins_code;
  AdminResponse one = Call("GET", "/admin/institutions/P37990000002");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Json(one.body).Str("fixmedins_type"), "2");
  EXPECT_EQ(Json(one.body).Int("hosp_lv"), 0);
  EXPECT_FALSE(Json(one.body).Has("credential_sm3"));
  EXPECT_EQ(Call("GET", "/admin/institutions/H37990099999").status, 404);
}

TEST_F(AdminApiTest, PutInstitutionStoresOnlyTheCredentialsHash) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  std::string pub = key->public_key().ToHex();
  std::string upper = pub;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  AdminResponse r = Call("PUT", "/admin/institutions/H37990000099",
                         R"({"fixmedins_name":"新院区","hosp_lv":2,"credential":"s3cret-pass",)"
                         R"("sm2_public_key":")" +
                             upper + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(r.body, Not(HasSubstr("s3cret")));
  EXPECT_THAT(r.body, Not(HasSubstr(Hex(Sm3("s3cret-pass")))));
  auto stored = ledger_->FindInstitution("H37990000099");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->credential_sm3, Hex(Sm3("s3cret-pass")));
  EXPECT_EQ(stored->sm2_public_key, pub);  // normalised to lower case
  EXPECT_EQ(stored->fixmedins_type, "1");
  EXPECT_EQ(stored->hosp_lv, 2);
  EXPECT_EQ(stored->admdvs, "379900");
  EXPECT_TRUE(stored->active);
  EXPECT_EQ(Audit().front().action, "PUT /admin/institutions/H37990000099 (credential set)");
  EXPECT_EQ(Audit().front().fixmedins_code, "H37990000099");
  // Updating without a credential keeps it; deactivating is a field.
  r = Call("PUT", "/admin/institutions/H37990000099",
           R"({"fixmedins_name":"新院区","hosp_lv":"3","active":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  stored = ledger_->FindInstitution("H37990000099");
  EXPECT_EQ(stored->credential_sm3, Hex(Sm3("s3cret-pass")));
  EXPECT_EQ(stored->hosp_lv, 3);
  EXPECT_FALSE(stored->active);
  EXPECT_EQ(Audit().front().action, "PUT /admin/institutions/H37990000099");
  // Field-named failures.
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/institutions/X1", R"({"fixmedins_name":"x"})"), 400),
            "fixmedins_code: expected H or P and 11 digits");
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                         R"({"fixmedins_name":"x","hosp_lv":5})"),
                    400),
            "hosp_lv: expected 0, 1, 2 or 3");
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                         R"({"fixmedins_name":"x","credential":"short"})"),
                    400),
            "credential: expected 8 to 256 characters");
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                         R"({"fixmedins_name":"x","fixmedins_type":"9"})"),
                    400),
            "fixmedins_type: expected 1 (medical institution) or 2 (retail pharmacy)");
  std::string off_curve = "04" + std::string(128, '1');
  EXPECT_THAT(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                           R"({"fixmedins_name":"x","sm2_public_key":")" + off_curve + R"("})"),
                      400),
              HasSubstr("sm2_public_key: "));
  EXPECT_THAT(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                           R"({"fixmedins_name":"x","sm2_public_key":"zz"})"),
                      400),
              HasSubstr("sm2_public_key: "));
  EXPECT_EQ(ErrorOf(Call("PUT", "/admin/institutions/H37990000099",
                         R"({"fixmedins_name":"x","active":1})"),
                    400),
            "active: expected true or false");
  EXPECT_FALSE(ledger_->FindInstitution("H37990000099")->active);  // nothing changed
}

// ---- Contributions and the journal
// ----------------------------------------------------------------

TEST_F(AdminApiTest, EmployeeContributionCreditsPoolAndAccount) {
  ASSERT_EQ(api_->contributions_problem(), "");
  const std::string psn = "37990000000000000001";  // employee of 37990000010001, opening 500.00
  int64_t pool = ledger_->AccountBalance("fund:379900:310:hifp");
  AdminResponse r =
      Call("POST", "/admin/contributions",
           R"({"psn_no":")" + psn +
               R"(","insutype":"310","period":"202503","kind":"employee_month","wage":"8000"})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Str("contribution_id"), psn + "-310-202503");
  EXPECT_EQ(j.Num("base"), "8000.00");
  EXPECT_EQ(j.Num("employer"), "560.00");  // 7%
  EXPECT_EQ(j.Num("employee"), "160.00");  // 2%
  EXPECT_EQ(j.Num("to_pool"), "560.00");   // after the reform: the whole employer share
  EXPECT_EQ(j.Num("to_account"), "160.00");
  EXPECT_EQ(j.Num("acct_balc"), "660.00");
  EXPECT_EQ(ledger_->AccountBalance("acct:" + psn), 660'00);
  EXPECT_EQ(ledger_->AccountBalance("fund:379900:310:hifp") - pool, 560'00);
  EXPECT_EQ(ledger_->AccountBalance("contributor:employer:37990000010001"), -560'00);
  EXPECT_EQ(ledger_->AccountBalance("contributor:person:" + psn), -160'00);
  EXPECT_EQ(ledger_->JournalSum(), 0);
  auto recorded = ledger_->ContributionsOf(psn);
  ASSERT_EQ(recorded.size(), 2u);  // the opening balance, then this
  EXPECT_EQ(recorded[1].contribution_id, psn + "-310-202503");
  EXPECT_EQ(recorded[1].emp_no, "37990000010001");
  EXPECT_EQ(recorded[1].employer_part, 560'00);
  EXPECT_EQ(recorded[1].employee_part, 160'00);
  EXPECT_EQ(recorded[1].to_account, 160'00);
  EXPECT_EQ(Audit().front().action, "POST /admin/contributions " + psn + "-310-202503");
  EXPECT_EQ(Audit().front().operator_id, "alice");
  // The same month again is a conflict, and changes nothing.
  AdminResponse again =
      Call("POST", "/admin/contributions",
           R"({"psn_no":")" + psn +
               R"(","insutype":"310","period":"202503","kind":"employee_month","wage":9000})");
  EXPECT_THAT(ErrorOf(again, 409), HasSubstr("is already recorded"));
  EXPECT_EQ(ledger_->AccountBalance("acct:" + psn), 660'00);
  // A wage below the floor contributes on the floor (4200), a number works as the wage.
  r = Call("POST", "/admin/contributions",
           R"({"psn_no":")" + psn +
               R"(","insutype":"310","period":"202504","kind":"employee_month","wage":3000.5})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r.body).Num("base"), "4200.00");
  EXPECT_EQ(Json(r.body).Num("to_account"), "84.00");
  EXPECT_EQ(ledger_->JournalSum(), 0);
}

TEST_F(AdminApiTest, RetireeAndResidentContributions) {
  const std::string retiree = "37990000000000000002";
  int64_t pool310 = ledger_->AccountBalance("fund:379900:310:hifp");
  AdminResponse r = Call("POST", "/admin/contributions",
                         R"({"psn_no":")" + retiree +
                             R"(","insutype":"310","period":"202503","kind":"retiree_month"})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Num("pool_to_account"), "66.00");  // 2% of the average pension 3300
  EXPECT_EQ(j.Num("to_account"), "66.00");
  EXPECT_EQ(j.Num("to_pool"), "-66.00");
  EXPECT_EQ(j.Num("employer"), "0.00");
  EXPECT_EQ(ledger_->AccountBalance("acct:" + retiree), 1266'00);
  EXPECT_EQ(ledger_->AccountBalance("fund:379900:310:hifp") - pool310, -66'00);

  const std::string child = "37990000000000000003";
  r = Call(
      "POST", "/admin/contributions",
      R"({"psn_no":")" + child + R"(","insutype":"390","period":"2025","kind":"resident_year"})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json k(r.body);
  EXPECT_EQ(k.Num("individual"), "380.00");
  EXPECT_EQ(k.Num("government"), "640.00");
  EXPECT_EQ(k.Num("to_pool"), "1020.00");
  EXPECT_EQ(k.Num("to_account"), "0.00");
  EXPECT_EQ(k.Str("emp_no"), "");
  EXPECT_EQ(ledger_->AccountBalance("fund:379900:390:hifp"), 1020'00);
  EXPECT_EQ(ledger_->AccountBalance("contributor:person:" + child), -380'00);
  EXPECT_EQ(ledger_->AccountBalance("contributor:government:379900"), -640'00);
  EXPECT_EQ(ledger_->AccountBalance("acct:" + child), 0);
  auto recorded = ledger_->ContributionsOf(child);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].subsidy, 640'00);
  EXPECT_EQ(recorded[0].employee_part, 380'00);
  EXPECT_EQ(recorded[0].to_pool, 1020'00);
  EXPECT_EQ(ledger_->JournalSum(), 0);

  // The journal endpoints.
  AdminResponse sum = Call("GET", "/admin/journal/sum");
  ASSERT_EQ(sum.status, 200);
  EXPECT_EQ(Json(sum.body).Num("sum"), "0.00");
  EXPECT_TRUE(Json(sum.body).Bool("balanced"));
  AdminResponse acct = Call("GET", "/admin/accounts/fund:379900:390:hifp");
  ASSERT_EQ(acct.status, 200);
  EXPECT_EQ(Json(acct.body).Str("account"), "fund:379900:390:hifp");
  EXPECT_EQ(Json(acct.body).Num("balance"), "1020.00");
  acct = Call("GET", "/admin/accounts/acct%3A" + retiree);  // percent-encoded ':'
  EXPECT_EQ(Json(acct.body).Num("balance"), "1266.00");
  EXPECT_EQ(Json(Call("GET", "/admin/accounts/nobody").body).Num("balance"), "0.00");
}

TEST_F(AdminApiTest, ContributionFailuresNameTheField) {
  auto post = [&](const std::string& body) { return Call("POST", "/admin/contributions", body); };
  EXPECT_EQ(
      ErrorOf(post(R"({"insutype":"310","period":"202503","kind":"employee_month","wage":1})"),
              400),
      "psn_no: missing");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000001","insutype":"310","period":"202503","kind":"monthly"})"),
          400),
      "kind: expected employee_month, retiree_month or resident_year");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000001","insutype":"310","period":"2025-03","kind":"employee_month","wage":1})"),
          400),
      "period: expected a month YYYYMM for employee_month");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000001","insutype":"310","period":"202513","kind":"employee_month","wage":1})"),
          400),
      "period: expected a month YYYYMM for employee_month");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000003","insutype":"390","period":"202501","kind":"resident_year"})"),
          400),
      "period: expected a year YYYY for resident_year");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000001","insutype":"310","period":"202503","kind":"employee_month"})"),
          400),
      "wage: missing (the monthly wage in yuan)");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000001","insutype":"310","period":"202503","kind":"employee_month","wage":"12.345"})"),
          400),
      "wage: expected an amount in yuan above 0 with at most 2 decimals");
  EXPECT_EQ(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000002","insutype":"310","period":"202503","kind":"retiree_month","wage":1})"),
          400),
      "wage: only for employee_month");
  EXPECT_THAT(
      ErrorOf(
          post(R"({"psn_no":"NOBODY","insutype":"310","period":"202503","kind":"retiree_month"})"),
          404),
      HasSubstr("psn_no: no person NOBODY"));
  EXPECT_THAT(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000003","insutype":"310","period":"202503","kind":"retiree_month"})"),
          400),
      HasSubstr("insutype: person 37990000000000000003 has no insurance 310"));
  // A suspended insurance takes no contributions.
  EXPECT_THAT(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000009","insutype":"310","period":"202503","kind":"employee_month","wage":5000})"),
          409),
      HasSubstr("is not in force (psn_insu_stas 2)"));
  // A resident has no employer to pay an employee's month.
  EXPECT_THAT(
      ErrorOf(
          post(
              R"({"psn_no":"37990000000000000003","insutype":"390","period":"202503","kind":"employee_month","wage":5000})"),
          400),
      HasSubstr("names no employer"));
  EXPECT_EQ(ledger_->JournalSum(), 0);
  EXPECT_TRUE(ledger_->ContributionsOf("37990000000000000003").empty());
}

TEST_F(AdminApiTest, WithoutContributionRulesContributionsAreRefused) {
  fs::remove(region_dir_ / "contributions.toml");
  MakeApi();  // the rules are read at construction
  EXPECT_THAT(api_->contributions_problem(), HasSubstr("contributions.toml not found"));
  AdminResponse r = Call(
      "POST", "/admin/contributions",
      R"({"psn_no":"37990000000000000002","insutype":"310","period":"202503","kind":"retiree_month"})");
  EXPECT_THAT(ErrorOf(r, 409), HasSubstr("contributions: the region has no contribution rules"));
  EXPECT_TRUE(ledger_->ContributionsOf("37990000000000000003").empty());
}

// ---- Audit
// ------------------------------------------------------------------------------------------

TEST_F(AdminApiTest, AuditLogNewestFirst) {
  ASSERT_EQ(Call("PUT", "/admin/employers/E-A", R"({"emp_name":"甲"})").status, 201);
  ASSERT_EQ(
      Call("PUT", "/admin/employers/E-B", R"({"emp_name":"乙"})", std::string("Bearer ") + kBob)
          .status,
      201);
  AdminResponse r = Call("GET", "/admin/audit?limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  ASSERT_EQ(j.Size("entries"), 2u);
  EXPECT_EQ(j.Str("entries[0].action"), "PUT /admin/employers/E-B");
  EXPECT_EQ(j.Str("entries[0].operator"), "bob");
  EXPECT_EQ(j.Str("entries[1].action"), "PUT /admin/employers/E-A");
  EXPECT_EQ(j.Str("entries[1].operator"), "alice");
  EXPECT_GT(j.Int("entries[0].entry_id"), j.Int("entries[1].entry_id"));
  EXPECT_GT(Json(Call("GET", "/admin/audit").body).Size("entries"), 2u);  // the seed's too
  EXPECT_EQ(ErrorOf(Call("GET", "/admin/audit?limit=0"), 400), "limit: expected 1 to 1000");
  EXPECT_EQ(ErrorOf(Call("GET", "/admin/audit?limit=abc"), 400), "limit: expected 1 to 1000");
}

// ---- Policies
// -----------------------------------------------------------------------------------------

TEST_F(AdminApiTest, ListAndCheckPolicies) {
  AdminResponse r = Call("GET", "/admin/policies");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Str("region"), "379900");
  ASSERT_EQ(j.Size("policies"), 3u);
  EXPECT_EQ(j.Str("policies[0].file"), "employee-2025.toml");
  EXPECT_EQ(j.Str("policies[0].insutype"), "310");
  EXPECT_EQ(j.Str("policies[0].version"), "2025.1");
  EXPECT_EQ(j.Str("policies[0].effective_from"), "2025-01-01");

  // The current file checks clean as itself, but overlaps itself under another name.
  std::string text = ReadFile(region_dir_ / "policies/resident-2025.toml");
  r = Call("POST", "/admin/policies/check?file=resident-2025.toml", text);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Json(r.body).Bool("ok")) << r.body;
  EXPECT_EQ(Json(r.body).Str("policy.version"), "2025.1");
  r = Call("POST", "/admin/policies/check", text);
  EXPECT_FALSE(Json(r.body).Bool("ok"));
  EXPECT_EQ(Json(r.body).Str("diagnostics[0].field"), "policy.effective_from");
  EXPECT_THAT(Json(r.body).Str("diagnostics[0].message"), HasSubstr("resident-2025.toml"));

  // A word the region does not declare, with file, line and field.
  std::string bad = text +
                    "\n[[tier]]\nbenefit = \"inpatient\"\nid = \"x\"\nfund = \"hifp\"\n"
                    "psn_type = [\"martian\"]\n";
  r = Call("POST", "/admin/policies/check?file=resident-2025.toml", bad);
  ASSERT_EQ(r.status, 200);
  Json d(r.body);
  EXPECT_FALSE(d.Bool("ok"));
  ASSERT_GE(d.Size("diagnostics"), 1u);
  EXPECT_EQ(d.Str("diagnostics[0].file"), "resident-2025.toml");
  EXPECT_GT(d.Int("diagnostics[0].line"), 0);
  // Syntax errors too.
  r = Call("POST", "/admin/policies/check", "[policy\n");
  EXPECT_FALSE(Json(r.body).Bool("ok"));
  EXPECT_EQ(Json(r.body).Int("diagnostics[0].line"), 1);
  EXPECT_THAT(Json(r.body).Str("diagnostics[0].message"), HasSubstr("TOML"));
  EXPECT_EQ(Call("POST", "/admin/policies/check?file=../x.toml", text).status, 400);
}

TEST_F(AdminApiTest, PutPolicyInstallsAndSwapsTheRegion) {
  auto before = holder_->Current();
  const fs::path file = region_dir_ / "policies/resident-2025.toml";
  std::string text = ReadFile(file);
  size_t at = text.find("version = \"2025.1\"");
  ASSERT_NE(at, std::string::npos);
  std::string next = text;
  next.replace(at, 18, "version = \"2025.2\"");
  AdminResponse r = Call("PUT", "/admin/policies/resident-2025.toml", next);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body).Str("policy.version"), "2025.2");
  auto after = holder_->Current();
  EXPECT_NE(after, before);
  EXPECT_EQ(after->PolicyFor("390", *Date::Parse("2025-06-01"))->version, "2025.2");
  EXPECT_EQ(before->PolicyFor("390", *Date::Parse("2025-06-01"))->version, "2025.1");  // untouched
  EXPECT_EQ(ReadFile(file), next);
  EXPECT_FALSE(fs::exists(region_dir_ / "policies/.resident-2025.toml.tmp"));
  EXPECT_EQ(Audit().front().action, "PUT /admin/policies/resident-2025.toml (version 2025.2)");
  EXPECT_EQ(Audit().front().operator_id, "alice");
  // The repository's sample is untouched.
  EXPECT_THAT(ReadFile(fs::path(YIBAO_SOURCE_DIR) / "regions/qinglan/policies/resident-2025.toml"),
              HasSubstr("version = \"2025.1\""));

  // A new file for a new year: 201, and the region has four policies.
  std::string y2026 = next;
  y2026.replace(y2026.find("version = \"2025.2\""), 18, "version = \"2026.1\"");
  y2026.replace(y2026.find("effective_from = \"2025-01-01\""), 29,
                "effective_from = \"2026-01-01\"");
  y2026.replace(y2026.find("effective_to = \"2025-12-31\""), 27, "effective_to = \"2026-12-31\"");
  r = Call("PUT", "/admin/policies/resident-2026.toml", y2026);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r.body).Size("policies"), 4u);
  EXPECT_EQ(holder_->Current()->PolicyFor("390", *Date::Parse("2026-03-01"))->version, "2026.1");
}

TEST_F(AdminApiTest, ABadPolicyLeavesFileAndRegionUntouched) {
  auto before = holder_->Current();
  const fs::path file = region_dir_ / "policies/resident-2025.toml";
  std::string text = ReadFile(file);
  size_t audit = Audit().size();
  // Invalid on its own: refused before anything is written.
  AdminResponse r = Call("PUT", "/admin/policies/resident-2025.toml", text + "\nbogus_key = 1\n");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_GE(Json(r.body).Size("diagnostics"), 1u);
  EXPECT_THAT(Json(r.body).Str("error"), HasSubstr("resident-2025.toml:"));
  // Overlapping another file.
  r = Call("PUT", "/admin/policies/resident-2025-copy.toml", text);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(Json(r.body).Str("error"),
              HasSubstr("in force on the same days as resident-2025.toml"));
  EXPECT_FALSE(fs::exists(region_dir_ / "policies/resident-2025-copy.toml"));
  // Of another region.
  std::string other = text;
  other.replace(other.find("region = \"379900\""), 17, "region = \"379901\"");
  EXPECT_THAT(ErrorOf(Call("PUT", "/admin/policies/resident-2025.toml", other), 400),
              HasSubstr("policy.region"));
  // Fine alone, but the region does not load (someone broke persons.csv): the old file comes back.
  std::string persons = ReadFile(region_dir_ / "persons.csv");
  WriteFile(region_dir_ / "persons.csv", persons + "X1,01,bad\n");
  std::string next = text;
  next.replace(next.find("version = \"2025.1\""), 18, "version = \"2025.3\"");
  r = Call("PUT", "/admin/policies/resident-2025.toml", next);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(Json(r.body).Str("error"), HasSubstr("persons.csv:"));
  EXPECT_EQ(Json(r.body).Str("diagnostics[0].file"), "persons.csv");
  EXPECT_EQ(ReadFile(file), text);
  // A new file is removed again.
  next.replace(next.find("effective_from = \"2025-01-01\""), 29, "effective_from = \"2026-01-01\"");
  next.replace(next.find("effective_to = \"2025-12-31\""), 27, "effective_to = \"2026-12-31\"");
  r = Call("PUT", "/admin/policies/resident-2026.toml", next);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_FALSE(fs::exists(region_dir_ / "policies/resident-2026.toml"));
  // Bad names.
  EXPECT_EQ(Call("PUT", "/admin/policies/..%2Fregion.toml", text).status, 400);
  EXPECT_EQ(Call("PUT", "/admin/policies/x.txt", text).status, 400);
  EXPECT_EQ(Call("PUT", "/admin/policies/.hidden.toml", text).status, 400);
  // Nothing swapped, nothing audited.
  EXPECT_EQ(holder_->Current(), before);
  EXPECT_EQ(Audit().size(), audit);
}

// ---- Catalogue
// ---------------------------------------------------------------------------------------

TEST_F(AdminApiTest, CatalogueItemInForce) {
  AdminResponse r = Call("GET", "/admin/catalogue/XJ01CRD021A001010104119?date=2025-03-01");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  EXPECT_EQ(j.Str("med_list_codg"), "XJ01CRD021A001010104119");
  EXPECT_EQ(j.Str("class"), "乙");
  EXPECT_EQ(j.Str("chrgitm_lv"), "02");
  EXPECT_EQ(j.Str("kind"), "drug");
  EXPECT_EQ(j.Str("selfpay_prop"), "10%");
  EXPECT_EQ(j.Num("pric_uplmt_amt"), "0.90");
  EXPECT_TRUE(j.At("valid_to").is_null());
  EXPECT_EQ(j.Str("restriction.setting"), "");
  // The default date is today (the clock's).
  EXPECT_EQ(Call("GET", "/admin/catalogue/XJ01CRD021A001010104119").status, 200);
  EXPECT_THAT(ErrorOf(Call("GET", "/admin/catalogue/X000?date=2025-03-01"), 404),
              HasSubstr("code: no catalogue item X000 in force on 2025-03-01"));
  EXPECT_EQ(ErrorOf(Call("GET", "/admin/catalogue/XJ01CRD021A001010104119?date=2025-3-1"), 400),
            "date: expected YYYY-MM-DD");
}

TEST_F(AdminApiTest, CatalogueCheckAndInstall) {
  const fs::path file = region_dir_ / "catalogue.csv";
  std::string text = ReadFile(file);
  AdminResponse r = Call("POST", "/admin/catalogue/check", text);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Json(r.body).Bool("ok"));
  EXPECT_EQ(Json(r.body).Int("items"), int64_t(holder_->Current()->catalogue.size()));
  std::string bad = text + "XBAD,坏药,drug,丁,,,,,,,,,,,,,,,,\n";
  r = Call("POST", "/admin/catalogue/check", bad);
  ASSERT_EQ(r.status, 200);
  Json d(r.body);
  EXPECT_FALSE(d.Bool("ok"));
  EXPECT_EQ(d.Str("diagnostics[0].file"), "catalogue.csv");
  EXPECT_GT(d.Int("diagnostics[0].line"), 300);

  // Install a new price cap.
  auto before = holder_->Current();
  std::string next = text;
  size_t at = next.find("阿莫西林克拉维酸钾片(0.375g),drug,乙,10%,0.9,");
  ASSERT_NE(at, std::string::npos);
  next.replace(next.find(",0.9,", at), 5, ",0.95,");
  r = Call("PUT", "/admin/catalogue", next);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(holder_->Current(), before);
  r = Call("GET", "/admin/catalogue/XJ01CRD021A001010104119?date=2025-03-01");
  EXPECT_EQ(Json(r.body).Num("pric_uplmt_amt"), "0.95");
  EXPECT_EQ(ReadFile(file), next);
  EXPECT_THAT(Audit().front().action, HasSubstr("PUT /admin/catalogue ("));

  // A bad one changes nothing.
  auto installed = holder_->Current();
  size_t audit = Audit().size();
  r = Call("PUT", "/admin/catalogue", bad);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(Json(r.body).Str("error"), HasSubstr("catalogue.csv:"));
  EXPECT_EQ(holder_->Current(), installed);
  EXPECT_EQ(ReadFile(file), next);
  EXPECT_EQ(Audit().size(), audit);
}

// ---- Threading
// -------------------------------------------------------------------------------------

TEST_F(AdminApiTest, RequestsFromManyThreadsAreAllAnswered) {
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AdminResponse r = Call("PUT", fmt::format("/admin/employers/T{}-{}", t, i),
                               fmt::format(R"({{"emp_name":"单位{}"}})", i));
        if (r.status == 201) ++created;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), kThreads * kEach);
  EXPECT_TRUE(ledger_->FindEmployer("T3-9"));
}

TEST_F(AdminApiTest, QueuedRequestsAreAnsweredOnShutdown) {
  std::vector<std::future<AdminResponse>> answers;
  std::vector<std::shared_ptr<std::promise<AdminResponse>>> promises;
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_shared<std::promise<AdminResponse>>();
    answers.push_back(p->get_future());
    api_->Handle(AdminRequest{"GET", "/admin/journal/sum", "", std::string("Bearer ") + kAlice},
                 [p](AdminResponse r) { p->set_value(std::move(r)); });
  }
  api_.reset();
  for (auto& a : answers) EXPECT_EQ(a.get().status, 200);
}

}  // namespace
}  // namespace yibao
