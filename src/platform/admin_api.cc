#include "platform/admin_api.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "base/date.h"
#include "base/money.h"
#include "base/text.h"
#include "base/thread_name.h"
#include "catalogue/catalogue_csv.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "funding/contribution.h"
#include "interface/bill_json.h"
#include "platform/filing_choice.h"
#include "policy/policy_toml.h"
#include "region/region.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
namespace dom = simdjson::dom;

// ---- JSON out
// ------------------------------------------------------------------------------------

// A small streaming writer: commas and quoting handled, keys in the order written.
class JsonWriter {
 public:
  JsonWriter& BeginObject() {
    Value();
    out_ += '{';
    first_.push_back(true);
    return *this;
  }
  JsonWriter& EndObject() {
    out_ += '}';
    first_.pop_back();
    return *this;
  }
  JsonWriter& BeginArray() {
    Value();
    out_ += '[';
    first_.push_back(true);
    return *this;
  }
  JsonWriter& EndArray() {
    out_ += ']';
    first_.pop_back();
    return *this;
  }
  JsonWriter& Key(std::string_view k) {
    Comma();
    AppendJsonString(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view s) {
    Value();
    AppendJsonString(out_, s);
    return *this;
  }
  JsonWriter& Raw(std::string_view json) {  // a number or literal, written as is
    Value();
    out_ += json;
    return *this;
  }
  JsonWriter& Int(int64_t v) { return Raw(std::to_string(v)); }
  JsonWriter& Bool(bool b) { return Raw(b ? "true" : "false"); }
  JsonWriter& Null() { return Raw("null"); }
  JsonWriter& Yuan(Money m) { return Raw(m.ToString()); }
  JsonWriter& Yuan(int64_t fen) { return Yuan(Money::Fen(fen)); }
  // A date, or null for an open end.
  JsonWriter& Day(Date d) {
    return d == Date::Max() || d == Date::Min() ? Null() : String(d.ToString());
  }

  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  std::string Take() { return std::move(out_); }

 private:
  void Comma() {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    Comma();
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

AdminResponse Error(int status, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("error", message).EndObject();
  return AdminResponse{status, w.Take()};
}

// The first problem as "error", all of them as "errors".
AdminResponse Errors(int status, const std::vector<std::string>& errors) {
  JsonWriter w;
  w.BeginObject().Field("error", errors.front());
  if (errors.size() > 1) {
    w.Key("errors").BeginArray();
    for (const auto& e : errors) w.String(e);
    w.EndArray();
  }
  w.EndObject();
  return AdminResponse{status, w.Take()};
}

// ---- JSON in
// -------------------------------------------------------------------------------------

// The members of one JSON object, read with field-named errors ("insuinfo[1].psn_type: …").
class ObjectFields {
 public:
  ObjectFields(dom::object obj, std::string prefix, std::vector<std::string>& errors)
      : obj_(obj), prefix_(std::move(prefix)), errors_(errors) {}

  std::string Path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  bool Has(std::string_view key) const {
    dom::element e;
    return !obj_.at_key(key).get(e) && !e.is_null();
  }
  void Fail(std::string_view key, std::string_view why) {
    errors_.push_back(Path(key) + ": " + std::string(why));
  }

  // Members not in `known` are errors (a misspelt key silently ignored would drop data).
  void Known(std::initializer_list<std::string_view> known) {
    for (auto [k, v] : obj_)
      if (std::find(known.begin(), known.end(), k) == known.end()) Fail(k, "unknown field");
  }

  // A string member (a number is taken as its text); nullopt when absent or null.
  std::optional<std::string> Str(std::string_view key) {
    dom::element e;
    if (obj_.at_key(key).get(e) || e.is_null()) return std::nullopt;
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    int64_t i;
    if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
    double d;
    if (e.get_double().get(d) == simdjson::SUCCESS) return fmt::format("{}", d);
    Fail(key, "expected a string");
    return std::nullopt;
  }
  // A required string member: absent or empty is an error.
  std::string Required(std::string_view key) {
    bool present = Has(key);
    auto s = Str(key);
    if (!s || s->empty()) {
      if (!present)
        Fail(key, "missing");
      else if (s)
        Fail(key, "empty");
      return "";
    }
    return *s;
  }
  std::optional<bool> Bool(std::string_view key) {
    dom::element e;
    if (obj_.at_key(key).get(e) || e.is_null()) return std::nullopt;
    bool b;
    if (e.get_bool().get(b) == simdjson::SUCCESS) return b;
    Fail(key, "expected true or false");
    return std::nullopt;
  }
  // An array member; nullopt when absent or null (wrong type: an error).
  std::optional<dom::array> Array(std::string_view key) {
    dom::element e;
    if (obj_.at_key(key).get(e) || e.is_null()) return std::nullopt;
    dom::array a;
    if (e.get_array().get(a) == simdjson::SUCCESS) return a;
    Fail(key, "expected an array");
    return std::nullopt;
  }
  std::optional<dom::object> Object(std::string_view key) {
    dom::element e;
    if (obj_.at_key(key).get(e) || e.is_null()) return std::nullopt;
    dom::object o;
    if (e.get_object().get(o) == simdjson::SUCCESS) return o;
    Fail(key, "expected an object");
    return std::nullopt;
  }

 private:
  dom::object obj_;
  std::string prefix_;
  std::vector<std::string>& errors_;
};

// ---- Small checks
// --------------------------------------------------------------------------------

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIdToken(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
  });
}

bool IsDay(std::string_view s) { return s.size() == 10 && Date::Parse(s).has_value(); }

bool IsInstitutionCode(std::string_view s) {
  return s.size() == 12 && (s[0] == 'H' || s[0] == 'P') && AllDigits(s.substr(1));
}

// A file name of the region directory: letters, digits, '.', '-', '_', not starting with '.'.
bool IsPlainFileName(std::string_view s) {
  return !s.empty() && s.size() <= 100 && s[0] != '.' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == '-' || c == '_' || c == '.';
         });
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// ---- Files
// ---------------------------------------------------------------------------------------

std::optional<std::string> ReadWholeFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `content` to `target` so that a reader (or a crash) sees the old file or the new one,
// never half of one: a temp file beside it (not matching *.toml / the target's name), fsync,
// rename, fsync of the directory. Returns why not, or "".
std::string WriteAtomically(const fs::path& target, std::string_view content) {
  fs::path temp = target.parent_path() / ("." + target.filename().string() + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot create " + temp.string();
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(temp.c_str());
      return "cannot write " + temp.string();
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(temp.c_str());
    return "cannot sync " + temp.string();
  }
  ::close(fd);
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    ::unlink(temp.c_str());
    return "cannot rename onto " + target.string();
  }
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return "";
}

// ---- Records as JSON
// -----------------------------------------------------------------------------

void WritePerson(JsonWriter& w, const PersonRecord& p) {
  w.BeginObject();
  w.Key("baseinfo").BeginObject();
  w.Field("psn_no", p.psn_no)
      .Field("psn_cert_type", p.psn_cert_type)
      .Field("certno", p.certno)
      .Field("psn_name", p.psn_name)
      .Field("gend", p.gend)
      .Field("brdy", p.brdy)
      .Field("naty", p.naty);
  w.EndObject();
  w.Key("insuinfo").BeginArray();
  for (const auto& i : p.insurances) {
    w.BeginObject()
        .Field("insutype", i.insutype)
        .Field("psn_type", i.psn_type)
        .Field("psn_insu_stas", i.psn_insu_stas)
        .Field("psn_insu_date", i.psn_insu_date)
        .Field("paus_insu_date", i.paus_insu_date)
        .Field("insuplc_admdvs", i.insuplc_admdvs)
        .Field("emp_no", i.emp_no)
        .Field("cvlserv_flag", i.cvlserv_flag)
        .EndObject();
  }
  w.EndArray();
  w.Key("idetinfo").BeginArray();
  for (const auto& i : p.identities)
    w.BeginObject()
        .Field("psn_idet_type", i.psn_idet_type)
        .Field("begntime", i.begntime)
        .Field("endtime", i.endtime)
        .EndObject();
  w.EndArray();
  w.EndObject();
}

void WriteFiling(JsonWriter& w, const FilingRecord& f) {
  w.BeginObject()
      .Field("filing_id", f.filing_id)
      .Field("psn_no", f.psn_no)
      .Field("filing_type", f.filing_type)
      .Field("mdtrtarea_admvs", f.mdtrtarea_admvs)
      .Field("begndate", f.begndate)
      .Field("enddate", f.enddate)
      .Key("revoked")
      .Bool(f.revoked)
      .EndObject();
}

void WriteEmployer(JsonWriter& w, const EmployerRecord& e) {
  w.BeginObject()
      .Field("emp_no", e.emp_no)
      .Field("emp_name", e.emp_name)
      .Field("admdvs", e.admdvs)
      .EndObject();
}

// Never the credential's hash: only whether there is one.
void WriteInstitution(JsonWriter& w, const InstitutionRecord& i) {
  w.BeginObject()
      .Field("fixmedins_code", i.fixmedins_code)
      .Field("fixmedins_name", i.fixmedins_name)
      .Field("fixmedins_type", i.fixmedins_type)
      .Key("hosp_lv")
      .Int(i.hosp_lv)
      .Field("admdvs", i.admdvs)
      .Key("has_credential")
      .Bool(!i.credential_sm3.empty())
      .Field("sm2_public_key", i.sm2_public_key)
      .Key("active")
      .Bool(i.active)
      .EndObject();
}

void WritePolicySummary(JsonWriter& w, const Policy& p) {
  w.BeginObject()
      .Field("file", fs::path(p.file).filename().string())
      .Field("insutype", p.insutype)
      .Field("name", p.name)
      .Field("version", p.version)
      .Key("effective_from")
      .Day(p.effective_from)
      .Key("effective_to")
      .Day(p.effective_to)
      .EndObject();
}

void WriteCatalogueItem(JsonWriter& w, const CatalogueItem& item) {
  const char* lv = item.item_class == ItemClass::kA   ? "01"
                   : item.item_class == ItemClass::kB ? "02"
                                                      : "03";
  const PaymentRestriction& r = item.restriction;
  w.BeginObject()
      .Field("med_list_codg", item.code)
      .Field("name", item.name)
      .Field("kind", ItemKindName(item.kind))
      .Field("chrgitm_lv", lv)
      .Field("class", ItemClassName(item.item_class))
      .Field("selfpay_prop", item.selfpay_prop.ToString());
  w.Key("pric_uplmt_amt");
  if (item.price_cap)
    w.Raw(item.price_cap->ToString());
  else
    w.Null();
  w.Key("valid_from").Day(item.valid_from).Key("valid_to").Day(item.valid_to);
  w.Key("restriction").BeginObject();
  w.Field("sex", r.sex == Sex::kMale ? "1" : r.sex == Sex::kFemale ? "2" : "");
  w.Key("min_age").Int(r.min_age).Key("max_age").Int(r.max_age);
  w.Field("setting", r.setting == CareSetting::kInpatientOnly    ? "inpatient"
                     : r.setting == CareSetting::kOutpatientOnly ? "outpatient"
                                                                 : "");
  w.Key("min_level").Int(r.min_level);
  auto list = [&](std::string_view key, const std::vector<std::string>& v) {
    w.Key(key).BeginArray();
    for (const auto& s : v) w.String(s);
    w.EndArray();
  };
  list("indications", r.indications);
  list("insutypes", r.insutypes);
  list("specialties", r.specialties);
  w.Key("step_therapy").Bool(r.step_therapy).Key("needs_approval").Bool(r.needs_approval);
  w.Key("max_qty_per_visit").Raw(r.max_qty_per_visit.ToString());
  w.Key("max_days").Int(r.max_days);
  w.EndObject();
  w.Key("source_line").Int(item.source_line);
  w.EndObject();
}

// Diagnostics with paths shown relative to the region directory.
void WriteDiagnostics(JsonWriter& w, const Diagnostics& ds, const std::string& dir) {
  w.BeginArray();
  for (const auto& d : ds) {
    std::string file = d.file;
    std::error_code ec;
    if (!file.empty() && !dir.empty()) {
      fs::path rel = fs::path(file).lexically_relative(dir);
      if (!rel.empty() && rel.native()[0] != '.') file = rel.string();
    }
    w.BeginObject()
        .Field("file", file)
        .Key("line")
        .Int(d.line)
        .Field("field", d.field)
        .Field("message", d.message);
    w.EndObject();
  }
  w.EndArray();
}

std::string FirstDiagnostic(const Diagnostics& ds, const std::string& dir) {
  if (ds.empty()) return "unknown error";
  Diagnostic d = ds.front();
  if (!d.file.empty() && !dir.empty()) {
    fs::path rel = fs::path(d.file).lexically_relative(dir);
    if (!rel.empty() && rel.native()[0] != '.') d.file = rel.string();
  }
  return d.ToString();
}

int StatusOfWrite(WriteStatus s) {
  switch (s) {
    case WriteStatus::kDurable:
      return 200;
    case WriteStatus::kFailed:
      return 500;
    default:
      return 409;
  }
}

}  // namespace

// ---- The API
// ---------------------------------------------------------------------------------------

struct AdminApi::Impl {
  Impl(RegionHolder& r, Ledger& l, std::map<std::string, std::string> t, const Clock* c)
      : region(r), ledger(l), tokens(std::move(t)), clock(c ? *c : SystemClock::Instance()) {
    LoadContributionRule();
    worker = std::thread([this] { Run(); });
    NameThread(worker, "yb-admin");
  }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_all();
    worker.join();
  }

  struct Call {
    AdminRequest request;
    AdminReply reply;
  };

  // What one request is working with.
  struct Ctx {
    const AdminRequest& req;
    std::string method;
    std::vector<std::string> segments;  // after "/admin/", percent-decoded
    std::map<std::string, std::string> query;
    std::string op;  // the operator
  };

  RegionHolder& region;
  Ledger& ledger;
  const std::map<std::string, std::string> tokens;
  const Clock& clock;
  std::optional<ContributionRule> rule;
  std::string rule_problem;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Call> queue;
  bool stopping = false;
  std::thread worker;
  dom::parser parser;  // the worker's

  void LoadContributionRule() {
    auto current = region.Current();
    fs::path file = fs::path(current->dir) / "contributions.toml";
    auto text = ReadWholeFile(file);
    if (!text) {
      rule_problem = "contributions: the region has no contribution rules (" +
                     (fs::path(current->dir).filename() / "contributions.toml").string() +
                     " not found); contributions are refused";
      return;
    }
    auto parsed = ParseContributionRule(*text, "contributions.toml");
    if (!parsed) {
      rule_problem = "contributions: contributions.toml is invalid (" +
                     parsed.errors().front().ToString() + "); contributions are refused";
      return;
    }
    if (parsed->region != current->admdvs) {
      rule_problem = "contributions: contributions.toml is for region " + parsed->region +
                     ", not " + current->admdvs + "; contributions are refused";
      return;
    }
    rule = std::move(*parsed);
  }

  void Enqueue(const AdminRequest& request, AdminReply reply) {
    {
      std::lock_guard lock(mu);
      if (!stopping) {
        queue.push_back(Call{request, std::move(reply)});
        cv.notify_one();
        return;
      }
    }
    reply(Error(503, "admin: shutting down"));
  }

  void Run() {
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;
      Call call = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      AdminResponse r;
      try {
        r = Serve(call.request);
      } catch (const std::exception& e) {
        r = Error(500, std::string("internal error: ") + e.what());
      }
      call.reply(std::move(r));
      lock.lock();
    }
  }

  // The operator of the request's bearer token, or nullopt.
  std::optional<std::string> Authenticate(std::string_view header) const {
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    if (header.size() < 7) return std::nullopt;
    std::string scheme(header.substr(0, 7));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
    if (scheme != "bearer ") return std::nullopt;
    std::string_view token = header.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    // Compare with every token in full, so the time taken does not tell how much matched.
    std::optional<std::string> found;
    for (const auto& [t, op] : tokens) {
      if (t.empty()) continue;
      unsigned diff = t.size() != token.size();
      for (size_t i = 0; i < t.size(); ++i)
        diff |= unsigned(uint8_t(t[i]) ^ uint8_t(i < token.size() ? token[i] : 0));
      if (diff == 0) found = op;
    }
    return found;
  }

  AdminResponse Serve(const AdminRequest& req) {
    if (req.authorization.empty())
      return Error(401, "authorization: missing; send Authorization: Bearer <token>");
    auto op = Authenticate(req.authorization);
    if (!op) return Error(401, "authorization: unknown or malformed bearer token");

    Ctx c{req, req.method, {}, {}, *op};
    std::string_view target = req.target;
    std::string_view path = target.substr(0, target.find('?'));
    if (size_t q = target.find('?'); q != std::string_view::npos) {
      std::string_view qs = target.substr(q + 1);
      while (!qs.empty()) {
        size_t amp = qs.find('&');
        std::string_view pair = qs.substr(0, amp);
        size_t eq = pair.find('=');
        auto k = PercentDecode(pair.substr(0, eq));
        auto v = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (!k || !v) return Error(400, "query: malformed percent-encoding");
        c.query[*k] = *v;
        if (amp == std::string_view::npos) break;
        qs.remove_prefix(amp + 1);
      }
    }
    constexpr std::string_view kPrefix = "/admin/";
    if (!path.starts_with(kPrefix)) return NoRoute(c);
    path.remove_prefix(kPrefix.size());
    while (!path.empty()) {
      size_t slash = path.find('/');
      auto seg = PercentDecode(path.substr(0, slash));
      if (!seg) return Error(400, "path: malformed percent-encoding");
      c.segments.push_back(*seg);
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash + 1);
      if (path.empty()) c.segments.push_back("");  // a trailing '/'
    }
    return Route(c);
  }

  AdminResponse NoRoute(const Ctx& c) {
    std::string shown = c.req.target.substr(0, std::min(c.req.target.find('?'), size_t(200)));
    return Error(404, "path: no admin route " + shown);
  }

  static AdminResponse WrongMethod(const Ctx& c, std::string_view allowed) {
    return Error(405, "method: " + c.method + " is not allowed here; use " + std::string(allowed));
  }

  AdminResponse Route(Ctx& c) {
    const auto& s = c.segments;
    const std::string& m = c.method;
    if (s.empty()) return NoRoute(c);
    const std::string& what = s[0];
    if (what == "persons" && s.size() == 2) {
      if (m == "GET") return GetPerson(s[1]);
      if (m == "PUT") return PutPerson(c, s[1]);
      return WrongMethod(c, "GET or PUT");
    }
    if (what == "persons" && s.size() == 3 && s[2] == "filings") {
      if (m == "GET") return ListFilings(s[1]);
      return WrongMethod(c, "GET");
    }
    if (what == "persons" && s.size() == 4 && s[2] == "filings") {
      if (m == "PUT") return PutFiling(c, s[1], s[3]);
      return WrongMethod(c, "PUT");
    }
    if (what == "employers" && s.size() == 2) {
      if (m == "GET") return GetEmployer(s[1]);
      if (m == "PUT") return PutEmployer(c, s[1]);
      return WrongMethod(c, "GET or PUT");
    }
    if (what == "institutions" && s.size() == 1) {
      if (m == "GET") return ListInstitutions();
      return WrongMethod(c, "GET");
    }
    if (what == "institutions" && s.size() == 2) {
      if (m == "GET") return GetInstitution(s[1]);
      if (m == "PUT") return PutInstitution(c, s[1]);
      return WrongMethod(c, "GET or PUT");
    }
    if (what == "contributions" && s.size() == 1) {
      if (m == "POST") return PostContribution(c);
      return WrongMethod(c, "POST");
    }
    if (what == "accounts" && s.size() == 2) {
      if (m == "GET") return GetAccount(s[1]);
      return WrongMethod(c, "GET");
    }
    if (what == "journal" && s.size() == 2 && s[1] == "sum") {
      if (m == "GET") return GetJournalSum();
      return WrongMethod(c, "GET");
    }
    if (what == "policies" && s.size() == 1) {
      if (m == "GET") return ListPolicies();
      return WrongMethod(c, "GET");
    }
    if (what == "policies" && s.size() == 2 && s[1] == "check") {
      if (m == "POST") return CheckPolicy(c);
      return WrongMethod(c, "POST");
    }
    if (what == "policies" && s.size() == 2) {
      if (m == "PUT") return PutPolicy(c, s[1]);
      return WrongMethod(c, "PUT");
    }
    if (what == "catalogue" && s.size() == 1) {
      if (m == "PUT") return PutCatalogue(c);
      return WrongMethod(c, "PUT");
    }
    if (what == "catalogue" && s.size() == 2 && s[1] == "check") {
      if (m == "POST") return CheckCatalogue(c);
      return WrongMethod(c, "POST");
    }
    if (what == "catalogue" && s.size() == 2) {
      if (m == "GET") return GetCatalogueItem(c, s[1]);
      return WrongMethod(c, "GET");
    }
    if (what == "audit" && s.size() == 1) {
      if (m == "GET") return GetAudit(c);
      return WrongMethod(c, "GET");
    }
    return NoRoute(c);
  }

  // The body as a JSON object, or the error to answer.
  std::optional<AdminResponse> ParseBody(const Ctx& c, dom::object& out) {
    dom::element root;
    if (parser.parse(c.req.body).get(root)) return Error(400, "body: malformed JSON");
    if (root.get_object().get(out)) return Error(400, "body: expected a JSON object");
    return std::nullopt;
  }

  // Submits `w` audited as the request's operator and waits until it is durable (or refused).
  WriteStatus Write(const Ctx& c, LedgerWrite w, std::string action) {
    w.audit_operator = c.op;
    w.audit_action = std::move(action);
    return ledger.SubmitAndWait(std::move(w));
  }

  static std::string Action(const Ctx& c, std::string_view what) {
    return c.method + " /admin/" + std::string(what);
  }

  AdminResponse WriteFailed(WriteStatus s) {
    return Error(StatusOfWrite(s),
                 std::string("ledger: write refused (") + WriteStatusName(s) + ")");
  }

  // ---- Persons ----

  AdminResponse GetPerson(const std::string& psn_no) {
    auto p = ledger.FindPerson(psn_no);
    if (!p) return Error(404, "psn_no: no person " + psn_no);
    JsonWriter w;
    WritePerson(w, *p);
    return AdminResponse{200, w.Take()};
  }

  AdminResponse PutPerson(Ctx& c, const std::string& psn_no) {
    if (!IsIdToken(psn_no, 30))
      return Error(400, "psn_no: expected 1 to 30 letters, digits, '-' or '_'");
    dom::object body;
    if (auto e = ParseBody(c, body)) return *e;
    auto current = region.Current();
    std::vector<std::string> errors;
    PersonRecord p;
    p.psn_no = psn_no;
    ObjectFields top(body, "", errors);
    top.Known({"baseinfo", "insuinfo", "idetinfo"});
    if (auto base = top.Object("baseinfo")) {
      ObjectFields b(*base, "baseinfo", errors);
      b.Known({"psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "naty"});
      if (auto n = b.Str("psn_no"); n && *n != psn_no) b.Fail("psn_no", "differs from the path");
      p.psn_cert_type = b.Str("psn_cert_type").value_or("01");
      p.certno = b.Required("certno");
      p.psn_name = b.Required("psn_name");
      p.gend = b.Required("gend");
      p.brdy = b.Required("brdy");
      p.naty = b.Str("naty").value_or("01");
      if (!IsIdToken(p.psn_cert_type, 10)) b.Fail("psn_cert_type", "expected a code like 01");
      if (!p.gend.empty() && p.gend != "1" && p.gend != "2")
        b.Fail("gend", "expected 1 (male) or 2 (female)");
      if (!p.brdy.empty() && !IsDay(p.brdy)) b.Fail("brdy", "expected a date YYYY-MM-DD");
      if (p.naty.size() != 2 || !AllDigits(p.naty)) b.Fail("naty", "expected a 2-digit code");
      if (!p.psn_name.empty() && !IsValidUtf8(p.psn_name)) b.Fail("psn_name", "not UTF-8");
      if (p.certno.size() > 50) b.Fail("certno", "longer than 50 characters");
      if (p.psn_cert_type == "01" && !p.certno.empty()) {
        std::string problem = ResidentIdProblem(p.certno);
        if (!problem.empty()) {
          b.Fail("certno", problem);
        } else {
          if (IsDay(p.brdy) && p.certno.substr(6, 8) !=
                                   p.brdy.substr(0, 4) + p.brdy.substr(5, 2) + p.brdy.substr(8, 2))
            b.Fail("certno", "birth date in the ID number differs from brdy");
          bool male = (p.certno[16] - '0') % 2 == 1;
          if ((p.gend == "1" && !male) || (p.gend == "2" && male))
            b.Fail("certno", "sex digit of the ID number differs from gend");
        }
      }
    } else if (!top.Has("baseinfo")) {
      top.Fail("baseinfo", "missing");
    }
    auto insuinfo = top.Array("insuinfo");
    if (!insuinfo) {
      if (!top.Has("insuinfo")) top.Fail("insuinfo", "missing");
    } else if (insuinfo->size() == 0) {
      top.Fail("insuinfo", "at least one insurance is needed (insutype)");
    } else {
      size_t i = 0;
      for (dom::element e : *insuinfo) {
        std::string at = "insuinfo[" + std::to_string(i++) + "]";
        dom::object o;
        if (e.get_object().get(o)) {
          errors.push_back(at + ": expected an object");
          continue;
        }
        ObjectFields f(o, at, errors);
        f.Known({"insutype", "psn_type", "psn_insu_stas", "psn_insu_date", "paus_insu_date",
                 "insuplc_admdvs", "emp_no", "cvlserv_flag"});
        InsuranceRecord ins;
        ins.insutype = f.Required("insutype");
        std::string type = f.Required("psn_type");
        ins.psn_type = current->PersonTypeId(type);
        ins.psn_insu_stas = f.Str("psn_insu_stas").value_or("1");
        ins.psn_insu_date = f.Required("psn_insu_date");
        ins.paus_insu_date = f.Str("paus_insu_date").value_or("");
        ins.insuplc_admdvs = f.Str("insuplc_admdvs").value_or(current->admdvs);
        ins.emp_no = f.Str("emp_no").value_or("");
        ins.cvlserv_flag = f.Str("cvlserv_flag").value_or("0");
        if (!ins.insutype.empty() && (ins.insutype.size() != 3 || !AllDigits(ins.insutype)))
          f.Fail("insutype", "expected 3 digits like 310 or 390");
        if (!type.empty() && ins.psn_type.empty())
          f.Fail("psn_type", "\"" + type + "\" is not a person type of region " + current->admdvs);
        if (ins.psn_insu_stas != "1" && ins.psn_insu_stas != "2" && ins.psn_insu_stas != "4")
          f.Fail("psn_insu_stas", "expected 1 (insured), 2 (suspended) or 4 (ended)");
        if (!ins.psn_insu_date.empty() && !IsDay(ins.psn_insu_date))
          f.Fail("psn_insu_date", "expected a date YYYY-MM-DD");
        if (!ins.paus_insu_date.empty() && !IsDay(ins.paus_insu_date))
          f.Fail("paus_insu_date", "expected a date YYYY-MM-DD");
        if (ins.insuplc_admdvs.size() != 6 || !AllDigits(ins.insuplc_admdvs))
          f.Fail("insuplc_admdvs", "expected a 6-digit admdvs code");
        if (ins.cvlserv_flag != "0" && ins.cvlserv_flag != "1")
          f.Fail("cvlserv_flag", "expected 0 or 1");
        if (!ins.emp_no.empty() && !ledger.FindEmployer(ins.emp_no))
          f.Fail("emp_no", "no employer " + ins.emp_no + " (PUT /admin/employers first)");
        for (const auto& other : p.insurances)
          if (!ins.insutype.empty() && other.insutype == ins.insutype)
            f.Fail("insutype", ins.insutype + " given twice");
        p.insurances.push_back(std::move(ins));
      }
    }
    if (auto idet = top.Array("idetinfo")) {
      size_t i = 0;
      for (dom::element e : *idet) {
        std::string at = "idetinfo[" + std::to_string(i++) + "]";
        dom::object o;
        if (e.get_object().get(o)) {
          errors.push_back(at + ": expected an object");
          continue;
        }
        ObjectFields f(o, at, errors);
        f.Known({"psn_idet_type", "begntime", "endtime"});
        IdentityRecord id;
        id.psn_idet_type = f.Required("psn_idet_type");
        id.begntime = f.Required("begntime");
        id.endtime = f.Str("endtime").value_or("");
        if (!id.psn_idet_type.empty() && !current->HasIdentity(id.psn_idet_type))
          f.Fail("psn_idet_type",
                 "\"" + id.psn_idet_type + "\" is not an identity of region " + current->admdvs);
        if (!id.begntime.empty() && !IsDay(id.begntime))
          f.Fail("begntime", "expected a date YYYY-MM-DD");
        if (!id.endtime.empty()) {
          if (!IsDay(id.endtime))
            f.Fail("endtime", "expected a date YYYY-MM-DD");
          else if (IsDay(id.begntime) && id.endtime < id.begntime)
            f.Fail("endtime", "before begntime");
        }
        p.identities.push_back(std::move(id));
      }
    }
    if (!errors.empty()) return Errors(400, errors);
    if (auto holder = ledger.FindPersonByCert(p.psn_cert_type, p.certno);
        holder && holder->psn_no != psn_no)
      return Error(409, "baseinfo.certno: the ID number is registered to person " + holder->psn_no);
    bool existed = ledger.FindPerson(psn_no).has_value();
    LedgerWrite w;
    w.persons.push_back(p);
    WriteStatus s = Write(c, std::move(w), Action(c, "persons/" + psn_no));
    if (s != WriteStatus::kDurable) return WriteFailed(s);
    JsonWriter out;
    WritePerson(out, p);
    return AdminResponse{existed ? 200 : 201, out.Take()};
  }

  // ---- Cross-region filings (异地就医备案) ----

  AdminResponse ListFilings(const std::string& psn_no) {
    if (!ledger.FindPerson(psn_no)) return Error(404, "psn_no: no person " + psn_no);
    JsonWriter w;
    w.BeginObject().Field("psn_no", psn_no).Key("filings").BeginArray();
    for (const auto& f : ledger.FilingsOf(psn_no)) WriteFiling(w, f);
    w.EndArray().EndObject();
    return AdminResponse{200, w.Take()};
  }

  // Creates (201) or replaces whole (200) one filing of the person. A filing is never deleted:
  // withdrawing it is `"revoked": true`, so settlements made under it stay explained.
  AdminResponse PutFiling(Ctx& c, const std::string& psn_no, const std::string& filing_id) {
    if (!IsIdToken(filing_id, 30))
      return Error(400, "filing_id: expected 1 to 30 letters, digits, '-' or '_'");
    if (!ledger.FindPerson(psn_no)) return Error(404, "psn_no: no person " + psn_no);
    dom::object body;
    if (auto e = ParseBody(c, body)) return *e;
    std::vector<std::string> errors;
    ObjectFields f(body, "", errors);
    f.Known({"filing_id", "psn_no", "filing_type", "mdtrtarea_admvs", "begndate", "enddate",
             "revoked"});
    FilingRecord r;
    r.filing_id = filing_id;
    r.psn_no = psn_no;
    if (auto n = f.Str("filing_id"); n && *n != filing_id)
      f.Fail("filing_id", "differs from the path");
    if (auto n = f.Str("psn_no"); n && *n != psn_no) f.Fail("psn_no", "differs from the path");
    r.filing_type = f.Required("filing_type");
    r.mdtrtarea_admvs = f.Required("mdtrtarea_admvs");
    r.begndate = f.Required("begndate");
    r.enddate = f.Str("enddate").value_or("");
    r.revoked = f.Bool("revoked").value_or(false);
    if (!r.filing_type.empty() && !IsFilingType(r.filing_type))
      f.Fail("filing_type", "expected long_term, referral or emergency");
    if (!r.mdtrtarea_admvs.empty() &&
        (r.mdtrtarea_admvs.size() != 6 || !AllDigits(r.mdtrtarea_admvs)))
      f.Fail("mdtrtarea_admvs", "expected a 6-digit admdvs code");
    if (!r.begndate.empty() && !IsDay(r.begndate)) f.Fail("begndate", "expected a date YYYY-MM-DD");
    if (!r.enddate.empty()) {
      if (!IsDay(r.enddate))
        f.Fail("enddate", "expected a date YYYY-MM-DD");
      else if (IsDay(r.begndate) && r.enddate < r.begndate)
        f.Fail("enddate", "before begndate");
    }
    if (!errors.empty()) return Errors(400, errors);
    auto existing = ledger.FindFiling(filing_id);
    if (existing && existing->psn_no != psn_no)
      return Error(409,
                   "filing_id: filing " + filing_id + " belongs to person " + existing->psn_no);
    LedgerWrite w;
    w.filings.push_back(r);
    WriteStatus s =
        Write(c, std::move(w), Action(c, "persons/" + psn_no + "/filings/" + filing_id));
    if (s != WriteStatus::kDurable) return WriteFailed(s);
    JsonWriter out;
    WriteFiling(out, r);
    return AdminResponse{existing ? 200 : 201, out.Take()};
  }

  // ---- Employers ----

  AdminResponse GetEmployer(const std::string& emp_no) {
    auto e = ledger.FindEmployer(emp_no);
    if (!e) return Error(404, "emp_no: no employer " + emp_no);
    JsonWriter w;
    WriteEmployer(w, *e);
    return AdminResponse{200, w.Take()};
  }

  AdminResponse PutEmployer(Ctx& c, const std::string& emp_no) {
    if (!IsIdToken(emp_no, 30))
      return Error(400, "emp_no: expected 1 to 30 letters, digits, '-' or '_'");
    dom::object body;
    if (auto e = ParseBody(c, body)) return *e;
    std::vector<std::string> errors;
    ObjectFields f(body, "", errors);
    f.Known({"emp_no", "emp_name", "admdvs"});
    EmployerRecord e{emp_no, "", ""};
    if (auto n = f.Str("emp_no"); n && *n != emp_no) f.Fail("emp_no", "differs from the path");
    e.emp_name = f.Required("emp_name");
    e.admdvs = f.Str("admdvs").value_or(region.Current()->admdvs);
    if (!e.emp_name.empty() && !IsValidUtf8(e.emp_name)) f.Fail("emp_name", "not UTF-8");
    if (e.admdvs.size() != 6 || !AllDigits(e.admdvs))
      f.Fail("admdvs", "expected a 6-digit admdvs code");
    if (!errors.empty()) return Errors(400, errors);
    bool existed = ledger.FindEmployer(emp_no).has_value();
    LedgerWrite w;
    w.employers.push_back(e);
    WriteStatus s = Write(c, std::move(w), Action(c, "employers/" + emp_no));
    if (s != WriteStatus::kDurable) return WriteFailed(s);
    JsonWriter out;
    WriteEmployer(out, e);
    return AdminResponse{existed ? 200 : 201, out.Take()};
  }

  // ---- Institutions ----

  AdminResponse ListInstitutions() {
    JsonWriter w;
    w.BeginObject().Key("institutions").BeginArray();
    for (const auto& i : ledger.Institutions()) WriteInstitution(w, i);
    w.EndArray().EndObject();
    return AdminResponse{200, w.Take()};
  }

  AdminResponse GetInstitution(const std::string& code) {
    auto i = ledger.FindInstitution(code);
    if (!i) return Error(404, "fixmedins_code: no institution " + code);
    JsonWriter w;
    WriteInstitution(w, *i);
    return AdminResponse{200, w.Take()};
  }

  AdminResponse PutInstitution(Ctx& c, const std::string& code) {
    if (!IsInstitutionCode(code))
      return Error(400, "fixmedins_code: expected H or P and 11 digits");
    dom::object body;
    if (auto e = ParseBody(c, body)) return *e;
    std::vector<std::string> errors;
    ObjectFields f(body, "", errors);
    f.Known({"fixmedins_code", "fixmedins_name", "fixmedins_type", "hosp_lv", "admdvs",
             "credential", "sm2_public_key", "active"});
    auto existing = ledger.FindInstitution(code);
    InstitutionRecord r;
    if (existing) r = *existing;
    r.fixmedins_code = code;
    if (auto n = f.Str("fixmedins_code"); n && *n != code)
      f.Fail("fixmedins_code", "differs from the path");
    r.fixmedins_name = f.Required("fixmedins_name");
    if (!r.fixmedins_name.empty() && !IsValidUtf8(r.fixmedins_name))
      f.Fail("fixmedins_name", "not UTF-8");
    r.fixmedins_type = f.Str("fixmedins_type").value_or(code[0] == 'P' ? "2" : "1");
    if (r.fixmedins_type != "1" && r.fixmedins_type != "2")
      f.Fail("fixmedins_type", "expected 1 (medical institution) or 2 (retail pharmacy)");
    std::string lv = f.Str("hosp_lv").value_or("0");
    if (lv.size() != 1 || lv[0] < '0' || lv[0] > '3')
      f.Fail("hosp_lv", "expected 0, 1, 2 or 3");
    else
      r.hosp_lv = lv[0] - '0';
    r.admdvs = f.Str("admdvs").value_or(region.Current()->admdvs);
    if (r.admdvs.size() != 6 || !AllDigits(r.admdvs))
      f.Fail("admdvs", "expected a 6-digit admdvs code");
    bool credential_set = false;
    if (auto cred = f.Str("credential")) {
      if (cred->size() < 8 || cred->size() > 256)
        f.Fail("credential", "expected 8 to 256 characters");
      else
        r.credential_sm3 = Hex(Sm3(*cred));
      credential_set = true;
    }
    if (auto key = f.Str("sm2_public_key")) {
      if (key->empty()) {
        r.sm2_public_key.clear();
      } else if (auto parsed = Sm2PublicKey::FromHex(*key)) {
        r.sm2_public_key = parsed->ToHex();
      } else {
        f.Fail("sm2_public_key", parsed.errors().front().message);
      }
    }
    r.active = f.Bool("active").value_or(true);
    if (!errors.empty()) return Errors(400, errors);
    LedgerWrite w;
    w.fixmedins_code = code;
    w.institutions.push_back(r);
    std::string action = Action(c, "institutions/" + code);
    if (credential_set) action += " (credential set)";
    WriteStatus s = Write(c, std::move(w), std::move(action));
    if (s != WriteStatus::kDurable) return WriteFailed(s);
    JsonWriter out;
    WriteInstitution(out, r);
    return AdminResponse{existing ? 200 : 201, out.Take()};
  }

  // ---- Contributions ----

  AdminResponse PostContribution(Ctx& c) {
    if (!rule) return Error(409, rule_problem);
    dom::object body;
    if (auto e = ParseBody(c, body)) return *e;
    std::vector<std::string> errors;
    ObjectFields f(body, "", errors);
    f.Known({"psn_no", "insutype", "period", "kind", "wage"});
    std::string psn_no = f.Required("psn_no");
    std::string insutype = f.Required("insutype");
    std::string period = f.Required("period");
    std::string kind = f.Required("kind");
    std::optional<std::string> wage_text = f.Str("wage");
    bool monthly = kind == "employee_month" || kind == "retiree_month";
    if (!kind.empty() && !monthly && kind != "resident_year")
      f.Fail("kind", "expected employee_month, retiree_month or resident_year");
    auto valid_year = [](std::string_view y) {
      int v = std::stoi(std::string(y));
      return v >= 1900 && v <= 2200;
    };
    if (!period.empty() && !kind.empty()) {
      if (monthly) {
        if (period.size() != 6 || !AllDigits(period) || !valid_year(period.substr(0, 4)) ||
            period.substr(4) < "01" || period.substr(4) > "12")
          f.Fail("period", "expected a month YYYYMM for " + kind);
      } else if (kind == "resident_year") {
        if (period.size() != 4 || !AllDigits(period) || !valid_year(period))
          f.Fail("period", "expected a year YYYY for resident_year");
      }
    }
    Money wage;
    if (kind == "employee_month") {
      if (!wage_text) {
        f.Fail("wage", "missing (the monthly wage in yuan)");
      } else {
        auto m = Money::ParseYuan(*wage_text);
        if (!m || !(Money::Zero() < *m))
          f.Fail("wage", "expected an amount in yuan above 0 with at most 2 decimals");
        else
          wage = *m;
      }
    } else if (wage_text && !kind.empty()) {
      f.Fail("wage", "only for employee_month");
    }
    if (!errors.empty()) return Errors(400, errors);

    auto person = ledger.FindPerson(psn_no);
    if (!person) return Error(404, "psn_no: no person " + psn_no);
    const InsuranceRecord* ins = nullptr;
    for (const auto& i : person->insurances)
      if (i.insutype == insutype) ins = &i;
    if (!ins) return Error(400, "insutype: person " + psn_no + " has no insurance " + insutype);
    if (ins->psn_insu_stas != "1")
      return Error(409, "insutype: insurance " + insutype + " of " + psn_no +
                            " is not in force (psn_insu_stas " + ins->psn_insu_stas + ")");
    const std::string& admdvs = region.Current()->admdvs;
    if (!ins->insuplc_admdvs.empty() && ins->insuplc_admdvs != admdvs)
      return Error(400, "insutype: insurance " + insutype + " of " + psn_no + " is with region " +
                            ins->insuplc_admdvs + ", not " + admdvs);
    if (kind == "employee_month" && ins->emp_no.empty())
      return Error(400, "insutype: insurance " + insutype + " of " + psn_no +
                            " names no employer (emp_no) to pay the employer's share");

    Contribution amounts = kind == "employee_month"  ? EmployeeMonth(*rule, wage)
                           : kind == "retiree_month" ? RetireeMonth(*rule)
                                                     : ResidentYear(*rule);
    ContributionRecord rec;
    rec.contribution_id = psn_no + "-" + insutype + "-" + period;
    rec.psn_no = psn_no;
    rec.emp_no = kind == "resident_year" ? "" : ins->emp_no;
    rec.insutype = insutype;
    rec.period = period;
    rec.base = amounts.base.fen();
    rec.employer_part = amounts.employer.fen();
    rec.employee_part = (amounts.employee + amounts.individual).fen();
    rec.subsidy = amounts.government.fen();
    rec.to_account = amounts.to_account.fen();
    rec.to_pool = amounts.to_pool.fen();

    // Contributors pay in (negative), the pool and the account are credited; a retiree's credit
    // comes out of the pool (to_pool is negative by it).
    LedgerWrite w;
    auto post = [&](std::string account, Money amount) {
      if (!amount.is_zero()) w.journal.push_back(JournalEntry{std::move(account), amount.fen()});
    };
    post("contributor:employer:" + ins->emp_no, -amounts.employer);
    post("contributor:person:" + psn_no, -(amounts.employee + amounts.individual));
    post("contributor:government:" + admdvs, -amounts.government);
    post("fund:" + admdvs + ":" + insutype + ":hifp", amounts.to_pool);
    post("acct:" + psn_no, amounts.to_account);
    w.contribution = rec;
    WriteStatus s = Write(c, std::move(w), Action(c, "contributions " + rec.contribution_id));
    if (s == WriteStatus::kDuplicateMsgid)
      return Error(409, "period: contribution " + rec.contribution_id + " is already recorded");
    if (s != WriteStatus::kDurable) return WriteFailed(s);

    JsonWriter out;
    out.BeginObject()
        .Field("contribution_id", rec.contribution_id)
        .Field("psn_no", psn_no)
        .Field("insutype", insutype)
        .Field("period", period)
        .Field("kind", kind)
        .Field("emp_no", rec.emp_no);
    out.Key("base").Yuan(amounts.base);
    out.Key("employer").Yuan(amounts.employer);
    out.Key("employee").Yuan(amounts.employee);
    out.Key("individual").Yuan(amounts.individual);
    out.Key("government").Yuan(amounts.government);
    out.Key("to_pool").Yuan(amounts.to_pool);
    out.Key("to_account").Yuan(amounts.to_account);
    out.Key("pool_to_account").Yuan(amounts.pool_to_account);
    out.Key("acct_balc").Yuan(ledger.AccountBalance("acct:" + psn_no));
    out.EndObject();
    return AdminResponse{201, out.Take()};
  }

  // ---- Accounts, journal, audit ----

  AdminResponse GetAccount(const std::string& account) {
    if (account.empty() || account.size() > 200 || !IsValidUtf8(account))
      return Error(400, "account: expected an account name like acct:<psn_no>");
    JsonWriter w;
    w.BeginObject().Field("account", account).Key("balance").Yuan(ledger.AccountBalance(account));
    w.EndObject();
    return AdminResponse{200, w.Take()};
  }

  AdminResponse GetJournalSum() {
    int64_t sum = ledger.JournalSum();
    JsonWriter w;
    w.BeginObject().Key("sum").Yuan(sum).Key("balanced").Bool(sum == 0).EndObject();
    return AdminResponse{200, w.Take()};
  }

  AdminResponse GetAudit(const Ctx& c) {
    size_t limit = 100;
    if (auto it = c.query.find("limit"); it != c.query.end()) {
      if (!AllDigits(it->second) || it->second.size() > 4 || std::stoi(it->second) < 1 ||
          std::stoi(it->second) > 1000)
        return Error(400, "limit: expected 1 to 1000");
      limit = size_t(std::stoi(it->second));
    }
    JsonWriter w;
    w.BeginObject().Key("entries").BeginArray();
    for (const auto& e : ledger.AuditLog(limit))
      w.BeginObject()
          .Key("entry_id")
          .Int(e.entry_id)
          .Field("fixmedins_code", e.fixmedins_code)
          .Field("operator", e.operator_id)
          .Field("action", e.action)
          .EndObject();
    w.EndArray().EndObject();
    return AdminResponse{200, w.Take()};
  }

  // ---- Policies ----

  AdminResponse ListPolicies() {
    auto current = region.Current();
    JsonWriter w;
    w.BeginObject().Field("region", current->admdvs).Key("policies").BeginArray();
    for (const auto& p : current->policies) WritePolicySummary(w, p);
    w.EndArray().EndObject();
    return AdminResponse{200, w.Take()};
  }

  // The checks of a policy text against the current region: the language and vocabulary, the
  // region code, and overlap with the region's other policies (all but `replacing`).
  Diagnostics CheckPolicyText(const Region& r, const std::string& text, const std::string& file,
                              const std::string& replacing, std::optional<Policy>& out) {
    auto parsed = ParsePolicyToml(text, file, &r.vocabulary);
    if (!parsed) return parsed.errors();
    Diagnostics ds;
    if (parsed->region != r.admdvs)
      ds.push_back(Diagnostic{file, 0, "policy.region",
                              "policy is for " + parsed->region + ", region is " + r.admdvs});
    for (const auto& other : r.policies) {
      if (fs::path(other.file).filename() == replacing) continue;
      if (other.insutype == parsed->insutype && !(parsed->effective_to < other.effective_from) &&
          !(other.effective_to < parsed->effective_from))
        ds.push_back(Diagnostic{file, 0, "policy.effective_from",
                                "in force on the same days as " +
                                    fs::path(other.file).filename().string() + " (insutype " +
                                    other.insutype + ")"});
    }
    if (ds.empty()) out = std::move(*parsed);
    return ds;
  }

  AdminResponse CheckPolicy(const Ctx& c) {
    auto current = region.Current();
    std::string file = "draft.toml";
    if (auto it = c.query.find("file"); it != c.query.end()) {
      if (!IsPlainFileName(it->second) || !it->second.ends_with(".toml"))
        return Error(400, "file: expected a file name ending in .toml");
      file = it->second;
    }
    std::optional<Policy> policy;
    Diagnostics ds = CheckPolicyText(*current, c.req.body, file, file, policy);
    JsonWriter w;
    w.BeginObject().Key("ok").Bool(ds.empty());
    if (policy) {
      w.Key("policy");
      WritePolicySummary(w, *policy);
    }
    w.Key("diagnostics");
    WriteDiagnostics(w, ds, "");
    w.EndObject();
    return AdminResponse{200, w.Take()};
  }

  // Writes `content` over `target` in the region directory, loads the whole region, and swaps it
  // in if it loads; otherwise puts the old file back. The answer on failure, or nullopt with the
  // new region in `installed`.
  std::optional<AdminResponse> Install(const fs::path& target, const std::string& content,
                                       std::shared_ptr<const Region>& installed) {
    auto current = region.Current();
    std::optional<std::string> old;
    if (fs::exists(target)) {
      old = ReadWholeFile(target);
      if (!old) return Error(500, "file: cannot read " + target.filename().string());
    }
    if (std::string why = WriteAtomically(target, content); !why.empty())
      return Error(500, "file: " + why);
    auto loaded = LoadRegion(current->dir);
    if (loaded) {
      installed = std::make_shared<const Region>(std::move(*loaded));
      region.Replace(installed);
      return std::nullopt;
    }
    // Put the old file back (or remove the new one) so the directory is what was running.
    std::string restore_problem;
    if (old) {
      restore_problem = WriteAtomically(target, *old);
    } else {
      std::error_code ec;
      fs::remove(target, ec);
      if (ec) restore_problem = "cannot remove " + target.string();
    }
    JsonWriter w;
    w.BeginObject().Field("error", FirstDiagnostic(loaded.errors(), current->dir));
    if (!restore_problem.empty()) w.Field("restore_error", restore_problem);
    w.Key("diagnostics");
    WriteDiagnostics(w, loaded.errors(), current->dir);
    w.EndObject();
    return AdminResponse{restore_problem.empty() ? 400 : 500, w.Take()};
  }

  AdminResponse PutPolicy(Ctx& c, const std::string& file) {
    if (!IsPlainFileName(file) || !file.ends_with(".toml") || file.size() <= 5)
      return Error(400, "file: expected a file name ending in .toml (letters, digits, . - _)");
    auto current = region.Current();
    std::error_code ec;
    if (!fs::is_directory(current->policies_dir, ec))
      return Error(409, "policies: the region's policies are not a directory");
    std::optional<Policy> policy;
    Diagnostics ds = CheckPolicyText(*current, c.req.body, file, file, policy);
    if (!ds.empty()) {
      JsonWriter w;
      w.BeginObject().Field("error", FirstDiagnostic(ds, "")).Key("diagnostics");
      WriteDiagnostics(w, ds, "");
      w.EndObject();
      return AdminResponse{400, w.Take()};
    }
    fs::path target = fs::path(current->policies_dir) / file;
    bool existed = fs::exists(target);
    std::shared_ptr<const Region> installed;
    if (auto failed = Install(target, c.req.body, installed)) return *failed;
    WriteStatus s = Write(c, LedgerWrite{},
                          Action(c, "policies/" + file) + " (version " + policy->version + ")");
    if (s != WriteStatus::kDurable)
      return Error(500, std::string("ledger: installed, but the audit write was refused (") +
                            WriteStatusName(s) + ")");
    JsonWriter w;
    w.BeginObject().Field("installed", file).Key("policy");
    WritePolicySummary(w, *policy);
    w.Key("policies").BeginArray();
    for (const auto& p : installed->policies) WritePolicySummary(w, p);
    w.EndArray().EndObject();
    return AdminResponse{existed ? 200 : 201, w.Take()};
  }

  // ---- Catalogue ----

  AdminResponse GetCatalogueItem(const Ctx& c, const std::string& code) {
    auto current = region.Current();
    Date on;
    if (auto it = c.query.find("date"); it != c.query.end()) {
      if (!IsDay(it->second)) return Error(400, "date: expected YYYY-MM-DD");
      on = *Date::Parse(it->second);
    } else {
      on = *Date::Parse(FormatTime(clock.Now()).substr(0, 10));
    }
    const CatalogueItem* item = current->catalogue.Find(code, on);
    if (!item)
      return Error(404, "code: no catalogue item " + code + " in force on " + on.ToString());
    JsonWriter w;
    WriteCatalogueItem(w, *item);
    return AdminResponse{200, w.Take()};
  }

  AdminResponse CheckCatalogue(const Ctx& c) {
    auto current = region.Current();
    std::string name = fs::path(current->catalogue_file).filename().string();
    auto parsed = ParseCatalogueCsv(c.req.body, name, current->admdvs);
    JsonWriter w;
    w.BeginObject().Key("ok").Bool(parsed.ok());
    if (parsed) w.Key("items").Int(int64_t(parsed->size()));
    w.Key("diagnostics");
    WriteDiagnostics(w, parsed ? Diagnostics{} : parsed.errors(), "");
    w.EndObject();
    return AdminResponse{200, w.Take()};
  }

  AdminResponse PutCatalogue(Ctx& c) {
    auto current = region.Current();
    fs::path target = current->catalogue_file;
    std::string name = target.filename().string();
    auto parsed = ParseCatalogueCsv(c.req.body, name, current->admdvs);
    if (!parsed) {
      JsonWriter w;
      w.BeginObject().Field("error", FirstDiagnostic(parsed.errors(), "")).Key("diagnostics");
      WriteDiagnostics(w, parsed.errors(), "");
      w.EndObject();
      return AdminResponse{400, w.Take()};
    }
    std::shared_ptr<const Region> installed;
    if (auto failed = Install(target, c.req.body, installed)) return *failed;
    WriteStatus s =
        Write(c, LedgerWrite{},
              Action(c, "catalogue") + " (" + std::to_string(parsed->size()) + " items)");
    if (s != WriteStatus::kDurable)
      return Error(500, std::string("ledger: installed, but the audit write was refused (") +
                            WriteStatusName(s) + ")");
    JsonWriter w;
    w.BeginObject()
        .Field("installed", name)
        .Key("items")
        .Int(int64_t(installed->catalogue.size()))
        .EndObject();
    return AdminResponse{200, w.Take()};
  }
};

AdminApi::AdminApi(RegionHolder& region, Ledger& ledger, std::map<std::string, std::string> tokens,
                   const Clock* clock)
    : impl_(std::make_unique<Impl>(region, ledger, std::move(tokens), clock)) {}

AdminApi::~AdminApi() = default;

void AdminApi::Handle(const AdminRequest& request, AdminReply reply) {
  impl_->Enqueue(request, std::move(reply));
}

const std::string& AdminApi::contributions_problem() const { return impl_->rule_problem; }

}  // namespace yibao
