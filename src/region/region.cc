#include "region/region.h"

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <map>
#include <optional>

#include "base/csv_reader.h"
#include "base/date.h"
#include "base/text.h"
#include "catalogue/catalogue_csv.h"

namespace yibao {
namespace fs = std::filesystem;

namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void Append(Diagnostics& to, const Diagnostics& from) {
  to.insert(to.end(), from.begin(), from.end());
}

Diagnostics LoadInstitutions(const std::string& path, std::vector<Institution>& out) {
  Diagnostics errors;
  std::string text;
  if (!ReadFile(path, text)) return {Diagnostic{path, 0, "", "cannot read file"}};
  CsvReader reader(text);
  CsvRow row;
  std::vector<std::string> header;
  int c_code = -1, c_name = -1, c_level = -1, c_kind = -1;
  while (reader.Next(row)) {
    if (!row.error.empty()) {
      errors.push_back(Diagnostic{path, row.line, "", row.error});
      continue;
    }
    if (header.empty()) {
      header = row.fields;
      for (size_t i = 0; i < header.size(); ++i) {
        if (header[i] == "code")
          c_code = int(i);
        else if (header[i] == "name")
          c_name = int(i);
        else if (header[i] == "level")
          c_level = int(i);
        else if (header[i] == "kind")
          c_kind = int(i);
        else
          errors.push_back(Diagnostic{path, row.line, header[i], "unknown column"});
      }
      if (c_code < 0 || c_level < 0)
        errors.push_back(Diagnostic{path, row.line, "", "header needs at least code and level"});
      if (!errors.empty()) return errors;
      continue;
    }
    if (row.fields.size() != header.size()) {
      errors.push_back(
          Diagnostic{path, row.line, "", "expected " + std::to_string(header.size()) + " fields"});
      continue;
    }
    Institution inst;
    inst.code = row.fields[size_t(c_code)];
    if (c_name >= 0) inst.name = row.fields[size_t(c_name)];
    const std::string& level = row.fields[size_t(c_level)];
    if (level.size() != 1 || level[0] < '0' || level[0] > '3')
      errors.push_back(Diagnostic{path, row.line, "level", "expected 0, 1, 2 or 3"});
    else
      inst.level = level[0] - '0';
    if (c_kind >= 0) {
      const std::string& kind = row.fields[size_t(c_kind)];
      if (kind == "pharmacy")
        inst.pharmacy = true;
      else if (kind != "hospital" && !kind.empty())
        errors.push_back(Diagnostic{path, row.line, "kind", "expected hospital or pharmacy"});
    }
    bool format_ok = inst.code.size() == 12 && (inst.code[0] == 'H' || inst.code[0] == 'P') &&
                     std::all_of(inst.code.begin() + 1, inst.code.end(), ::isdigit);
    if (!format_ok)
      errors.push_back(
          Diagnostic{path, row.line, "code", "institution code must be H or P + 11 digits"});
    for (const auto& other : out)
      if (other.code == inst.code)
        errors.push_back(Diagnostic{path, row.line, "code", "duplicate " + inst.code});
    out.push_back(std::move(inst));
  }
  return errors;
}

// ---- The register files
// --------------------------------------------------------------------------

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIdToken(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
  });
}

// Exactly YYYY-MM-DD (no time part).
bool IsDay(std::string_view s) { return s.size() == 10 && Date::Parse(s).has_value(); }

// A CSV file with a header row of known column names. Walks the records, reports malformed ones and
// rows of the wrong width, and stops adding diagnostics after kMaxDiagnosticsPerFile.
class CsvTable {
 public:
  CsvTable(std::string path, Diagnostics& errors) : path_(std::move(path)), errors_(errors) {}

  // Reads the file and its header; false (with diagnostics) when it cannot be used at all.
  bool Open(const std::vector<std::string_view>& known,
            const std::vector<std::string_view>& required) {
    if (!ReadFile(path_, text_)) {
      Error(0, "", "cannot read file");
      return false;
    }
    reader_.emplace(text_);
    CsvRow row;
    while (reader_->Next(row)) {
      if (!row.error.empty()) {
        Error(row.line, "", row.error);
        return false;
      }
      header_ = row.fields;
      header_line_ = row.line;
      break;
    }
    if (header_.empty()) {
      Error(0, "", "no header row");
      return false;
    }
    size_t before = errors_.size();
    for (size_t i = 0; i < header_.size(); ++i) {
      if (std::find(known.begin(), known.end(), header_[i]) == known.end())
        Error(header_line_, header_[i], "unknown column");
      else if (columns_.count(header_[i]))
        Error(header_line_, header_[i], "column given twice");
      else
        columns_[header_[i]] = i;
    }
    for (std::string_view r : required)
      if (!columns_.count(std::string(r))) Error(header_line_, std::string(r), "missing column");
    return errors_.size() == before;
  }

  // The next well-formed record; malformed ones are reported and skipped.
  bool Next() {
    while (reader_->Next(row_)) {
      if (!row_.error.empty()) {
        std::string column;
        if (row_.error_field >= 0 && size_t(row_.error_field) < header_.size())
          column = header_[size_t(row_.error_field)];
        Error(row_.line, column, row_.error);
        continue;
      }
      if (row_.fields.size() != header_.size()) {
        Error(row_.line, "",
              "expected " + std::to_string(header_.size()) + " fields, got " +
                  std::to_string(row_.fields.size()));
        continue;
      }
      return true;
    }
    return false;
  }

  int line() const { return row_.line; }
  // The current record's value of `column` ("" when the file has no such column).
  const std::string& operator[](const std::string& column) const {
    static const std::string kEmpty;
    auto it = columns_.find(column);
    return it == columns_.end() ? kEmpty : row_.fields[it->second];
  }
  void Error(int line, std::string column, std::string message) {
    if (count_++ == kMaxDiagnosticsPerFile) {
      errors_.push_back(Diagnostic{path_, line, "", "too many errors; stopped reporting"});
      return;
    }
    if (count_ > kMaxDiagnosticsPerFile) return;
    errors_.push_back(Diagnostic{path_, line, std::move(column), std::move(message)});
  }
  void RowError(std::string column, std::string message) {
    Error(row_.line, std::move(column), std::move(message));
  }

 private:
  std::string path_;
  Diagnostics& errors_;
  std::string text_;
  std::optional<CsvReader> reader_;
  std::vector<std::string> header_;
  int header_line_ = 0;
  std::map<std::string, size_t> columns_;
  CsvRow row_;
  size_t count_ = 0;
};

Diagnostics LoadEmployers(const std::string& path, std::vector<RegisteredEmployer>& out) {
  Diagnostics errors;
  CsvTable t(path, errors);
  if (!t.Open({"emp_no", "emp_name", "admdvs"}, {"emp_no", "emp_name", "admdvs"})) return errors;
  std::map<std::string, int> seen;
  while (t.Next()) {
    RegisteredEmployer e{t["emp_no"], t["emp_name"], t["admdvs"], t.line()};
    if (!IsIdToken(e.emp_no, 30))
      t.RowError("emp_no", "expected 1 to 30 letters, digits, '-' or '_'");
    else if (auto [it, fresh] = seen.emplace(e.emp_no, t.line()); !fresh)
      t.RowError("emp_no", "duplicate " + e.emp_no + " (line " + std::to_string(it->second) + ")");
    if (e.emp_name.empty() || !IsValidUtf8(e.emp_name))
      t.RowError("emp_name", "expected a name (UTF-8)");
    if (e.admdvs.size() != 6 || !AllDigits(e.admdvs))
      t.RowError("admdvs", "expected a 6-digit admdvs code");
    out.push_back(std::move(e));
  }
  return errors;
}

Diagnostics LoadCredentials(const std::string& path, const std::vector<Institution>& institutions,
                            std::vector<InstitutionCredential>& out) {
  Diagnostics errors;
  CsvTable t(path, errors);
  if (!t.Open({"fixmedins_code", "credential_sm3"}, {"fixmedins_code", "credential_sm3"}))
    return errors;
  std::map<std::string, int> seen;
  while (t.Next()) {
    InstitutionCredential c{t["fixmedins_code"], t["credential_sm3"], t.line()};
    if (std::none_of(institutions.begin(), institutions.end(),
                     [&](const Institution& i) { return i.code == c.fixmedins_code; }))
      t.RowError("fixmedins_code",
                 "not an institution of the region: \"" + c.fixmedins_code + "\"");
    else if (auto [it, fresh] = seen.emplace(c.fixmedins_code, t.line()); !fresh)
      t.RowError("fixmedins_code",
                 "duplicate " + c.fixmedins_code + " (line " + std::to_string(it->second) + ")");
    std::transform(c.credential_sm3.begin(), c.credential_sm3.end(), c.credential_sm3.begin(),
                   [](char ch) { return ch >= 'A' && ch <= 'F' ? char(ch - 'A' + 'a') : ch; });
    if (c.credential_sm3.size() != 64 ||
        !std::all_of(c.credential_sm3.begin(), c.credential_sm3.end(),
                     [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }))
      t.RowError("credential_sm3", "expected the SM3 digest as 64 hex digits");
    out.push_back(std::move(c));
  }
  return errors;
}

// "dibao", "dibao:2020-01-01" or "dibao:2020-01-01:2025-12-31", separated by ';'.
bool ParseIdentities(const Region& region, std::string_view text, CsvTable& t,
                     std::vector<RegisteredIdentity>& out) {
  bool ok = true;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) {
      if (end == text.size()) break;  // a trailing ';'
      t.RowError("identities", "empty identity in the list");
      ok = false;
      continue;
    }
    RegisteredIdentity idt;
    std::vector<std::string_view> parts;
    for (size_t p = 0;;) {
      size_t q = item.find(':', p);
      parts.push_back(item.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p));
      if (q == std::string_view::npos) break;
      p = q + 1;
    }
    idt.id = std::string(parts[0]);
    if (parts.size() > 3) {
      t.RowError("identities",
                 "expected id, id:begin or id:begin:end, got \"" + std::string(item) + "\"");
      ok = false;
      continue;
    }
    if (!region.HasIdentity(idt.id)) {
      t.RowError("identities", "identity \"" + idt.id + "\" is not declared in region.toml");
      ok = false;
    }
    if (parts.size() >= 2) {
      idt.begntime = std::string(parts[1]);
      if (!IsDay(idt.begntime)) {
        t.RowError("identities",
                   idt.id + ": begin date \"" + idt.begntime + "\" is not YYYY-MM-DD");
        ok = false;
      }
    }
    if (parts.size() == 3) {
      idt.endtime = std::string(parts[2]);
      if (!IsDay(idt.endtime)) {
        t.RowError("identities", idt.id + ": end date \"" + idt.endtime + "\" is not YYYY-MM-DD");
        ok = false;
      } else if (IsDay(idt.begntime) && idt.endtime < idt.begntime) {
        t.RowError("identities", idt.id + ": ends before it begins");
        ok = false;
      }
    }
    for (const auto& other : out)
      if (other.id == idt.id) {
        t.RowError("identities", "identity \"" + idt.id + "\" listed twice");
        ok = false;
      }
    out.push_back(std::move(idt));
  }
  return ok;
}

Diagnostics LoadPersons(const std::string& path, const Region& region,
                        std::vector<RegisteredPerson>& out) {
  Diagnostics errors;
  CsvTable t(path, errors);
  static const std::vector<std::string_view> kColumns = {
      "psn_no", "psn_cert_type", "certno",     "psn_name",      "gend",          "brdy",
      "naty",   "insutype",      "psn_type",   "psn_insu_stas", "psn_insu_date", "paus_insu_date",
      "emp_no", "cvlserv_flag",  "identities", "acct_balc"};
  if (!t.Open(kColumns, {"psn_no", "certno", "psn_name", "gend", "brdy", "insutype", "psn_type",
                         "psn_insu_date"}))
    return errors;
  std::map<std::string, size_t> index;                               // psn_no → out
  std::map<std::pair<std::string, std::string>, std::string> certs;  // (type, certno) → psn_no
  auto or_default = [](const std::string& v, const char* d) {
    return v.empty() ? std::string(d) : v;
  };
  while (t.Next()) {
    RegisteredPerson p;
    p.line = t.line();
    p.psn_no = t["psn_no"];
    p.psn_cert_type = or_default(t["psn_cert_type"], "01");
    p.certno = t["certno"];
    p.psn_name = t["psn_name"];
    p.gend = t["gend"];
    p.brdy = t["brdy"];
    p.naty = or_default(t["naty"], "01");
    if (!IsIdToken(p.psn_no, 30))
      t.RowError("psn_no", "expected 1 to 30 letters, digits, '-' or '_'");
    if (!IsIdToken(p.psn_cert_type, 10)) t.RowError("psn_cert_type", "expected a code like 01");
    if (p.certno.empty() || p.certno.size() > 50 || !IsValidUtf8(p.certno))
      t.RowError("certno", "expected an ID number");
    if (p.psn_name.empty() || !IsValidUtf8(p.psn_name))
      t.RowError("psn_name", "expected a name (UTF-8)");
    if (p.gend != "1" && p.gend != "2") t.RowError("gend", "expected 1 (male) or 2 (female)");
    if (!IsDay(p.brdy)) t.RowError("brdy", "expected a date YYYY-MM-DD");
    if (p.naty.size() != 2 || !AllDigits(p.naty))
      t.RowError("naty", "expected a 2-digit code like 01");
    if (p.psn_cert_type == "01") {
      std::string problem = ResidentIdProblem(p.certno);
      if (!problem.empty()) {
        t.RowError("certno", problem);
      } else {
        if (IsDay(p.brdy) && p.certno.substr(6, 8) !=
                                 p.brdy.substr(0, 4) + p.brdy.substr(5, 2) + p.brdy.substr(8, 2))
          t.RowError("certno", "birth date in the ID number differs from brdy " + p.brdy);
        bool male = (p.certno[16] - '0') % 2 == 1;
        if ((p.gend == "1" && !male) || (p.gend == "2" && male))
          t.RowError("certno", "sex digit of the ID number differs from gend " + p.gend);
      }
    }
    RegisteredInsurance ins;
    ins.line = t.line();
    ins.insutype = t["insutype"];
    ins.psn_type = region.PersonTypeId(t["psn_type"]);
    ins.psn_insu_stas = or_default(t["psn_insu_stas"], "1");
    ins.psn_insu_date = t["psn_insu_date"];
    ins.paus_insu_date = t["paus_insu_date"];
    ins.emp_no = t["emp_no"];
    ins.cvlserv_flag = or_default(t["cvlserv_flag"], "0");
    if (ins.insutype.size() != 3 || !AllDigits(ins.insutype))
      t.RowError("insutype", "expected a 3-digit insurance type like 310 or 390");
    if (ins.psn_type.empty())
      t.RowError("psn_type",
                 "person type \"" + t["psn_type"] + "\" is not declared in region.toml");
    if (ins.psn_insu_stas != "1" && ins.psn_insu_stas != "2" && ins.psn_insu_stas != "4")
      t.RowError("psn_insu_stas", "expected 1 (insured), 2 (suspended) or 4 (ended)");
    if (!IsDay(ins.psn_insu_date)) t.RowError("psn_insu_date", "expected a date YYYY-MM-DD");
    if (!ins.paus_insu_date.empty()) {
      if (!IsDay(ins.paus_insu_date))
        t.RowError("paus_insu_date", "expected a date YYYY-MM-DD");
      else if (IsDay(ins.psn_insu_date) && ins.paus_insu_date < ins.psn_insu_date)
        t.RowError("paus_insu_date", "before psn_insu_date " + ins.psn_insu_date);
    } else if (ins.psn_insu_stas == "2" || ins.psn_insu_stas == "4") {
      t.RowError("paus_insu_date", "required when psn_insu_stas is " + ins.psn_insu_stas);
    }
    if (!ins.emp_no.empty() &&
        std::none_of(region.employers.begin(), region.employers.end(),
                     [&](const RegisteredEmployer& e) { return e.emp_no == ins.emp_no; }))
      t.RowError("emp_no",
                 "not an employer of the region's employers file: \"" + ins.emp_no + "\"");
    if (ins.cvlserv_flag != "0" && ins.cvlserv_flag != "1")
      t.RowError("cvlserv_flag", "expected 0 or 1");
    if (const std::string& balc = t["acct_balc"]; !balc.empty()) {
      auto m = Money::ParseYuan(balc);
      if (!m || m->is_negative())
        t.RowError("acct_balc", "expected an amount in yuan ≥ 0 with at most 2 decimals");
      else
        ins.opening_balance = *m;
    }
    ParseIdentities(region, t["identities"], t, p.identities);

    auto [it, fresh] = index.emplace(p.psn_no, out.size());
    if (fresh) {
      auto key = std::make_pair(p.psn_cert_type, p.certno);
      if (auto [c, added] = certs.emplace(key, p.psn_no); !added)
        t.RowError("certno", "ID number already belongs to " + c->second);
      p.insurances.push_back(std::move(ins));
      out.push_back(std::move(p));
      continue;
    }
    // A further insurance of a person: the person's own columns must repeat the first row's.
    RegisteredPerson& first = out[it->second];
    std::string at = " (line " + std::to_string(first.line) + ")";
    auto same = [&](const std::string& a, const std::string& b, const char* column) {
      if (a != b) t.RowError(column, "differs from the person's first row" + at);
    };
    same(p.psn_cert_type, first.psn_cert_type, "psn_cert_type");
    same(p.certno, first.certno, "certno");
    same(p.psn_name, first.psn_name, "psn_name");
    same(p.gend, first.gend, "gend");
    same(p.brdy, first.brdy, "brdy");
    same(p.naty, first.naty, "naty");
    bool same_ids =
        p.identities.size() == first.identities.size() &&
        std::equal(p.identities.begin(), p.identities.end(), first.identities.begin(),
                   [](const RegisteredIdentity& a, const RegisteredIdentity& b) {
                     return a.id == b.id && a.begntime == b.begntime && a.endtime == b.endtime;
                   });
    if (!same_ids) t.RowError("identities", "differs from the person's first row" + at);
    for (const auto& other : first.insurances)
      if (other.insutype == ins.insutype)
        t.RowError("insutype", "person " + p.psn_no + " already has insutype " + ins.insutype +
                                   " (line " + std::to_string(other.line) + ")");
    first.insurances.push_back(std::move(ins));
  }
  // An identity without a begin date holds from the person's earliest insurance.
  for (auto& p : out) {
    std::string earliest;
    for (const auto& i : p.insurances)
      if (earliest.empty() || i.psn_insu_date < earliest) earliest = i.psn_insu_date;
    for (auto& idt : p.identities)
      if (idt.begntime.empty()) idt.begntime = earliest;
  }
  return errors;
}

// Two policies of one insurance type must never be in force on the same day.
Diagnostics CheckOverlaps(const std::vector<Policy>& policies) {
  Diagnostics errors;
  for (size_t i = 0; i < policies.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const Policy& a = policies[i];
      const Policy& b = policies[j];
      if (a.insutype == b.insutype && a.region == b.region &&
          !(a.effective_to < b.effective_from) && !(b.effective_to < a.effective_from))
        errors.push_back(Diagnostic{
            a.file, 0, "policy.effective_from",
            "in force on the same days as " + b.file + " (insutype " + a.insutype + ")"});
    }
  return errors;
}

}  // namespace

const Policy* Region::PolicyFor(std::string_view insutype, Date on) const {
  for (const auto& p : policies)
    if (p.insutype == insutype && p.effective_from <= on && on <= p.effective_to) return &p;
  return nullptr;
}

const Institution* Region::FindInstitution(std::string_view code) const {
  for (const auto& i : institutions)
    if (i.code == code) return &i;
  return nullptr;
}

std::string Region::PersonTypeId(std::string_view s) const {
  for (const auto& p : person_types)
    if (p.id == s || (!p.national_code.empty() && p.national_code == s)) return p.id;
  return "";
}

bool Region::HasIdentity(std::string_view id) const {
  for (const auto& [i, name] : identities)
    if (i == id) return true;
  return false;
}

const RegisteredPerson* Region::FindRegisteredPerson(std::string_view psn_no) const {
  for (const auto& p : persons)
    if (p.psn_no == psn_no) return &p;
  return nullptr;
}

char ResidentIdCheckDigit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    char c = first17[i];
    if (c < '0' || c > '9') return '\0';
    sum += (c - '0') * kWeights[i];
  }
  return kCheck[sum % 11];
}

std::string ResidentIdProblem(std::string_view certno) {
  if (certno.size() != 18) return "expected 18 characters, got " + std::to_string(certno.size());
  char check = ResidentIdCheckDigit(certno.substr(0, 17));
  if (check == '\0') return "expected 17 digits before the check character";
  std::string birth = std::string(certno.substr(6, 4)) + "-" + std::string(certno.substr(10, 2)) +
                      "-" + std::string(certno.substr(12, 2));
  if (!IsDay(birth))
    return "positions 7-14 are not a birth date (" + std::string(certno.substr(6, 8)) + ")";
  if (certno[17] != check)
    return std::string("wrong check digit: expected ") + check + ", got " + certno[17];
  return "";
}

Result<std::vector<Policy>> LoadPolicies(const std::string& path,
                                         const PolicyVocabulary* vocabulary) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) return Diagnostic{path, 0, "", "no .toml policy files"};
  } else {
    files.push_back(path);
  }
  Diagnostics errors;
  std::vector<Policy> policies;
  for (const auto& f : files) {
    auto p = LoadPolicyFile(f, vocabulary);
    if (p)
      policies.push_back(std::move(*p));
    else
      Append(errors, p.errors());
  }
  Append(errors, CheckOverlaps(policies));
  if (!errors.empty()) return errors;
  return policies;
}

Result<Region> LoadRegion(const std::string& dir) {
  Region region;
  region.dir = dir;
  std::string path = (fs::path(dir) / "region.toml").string();
  std::string text;
  if (!ReadFile(path, text)) return Diagnostic{path, 0, "", "cannot read file"};
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Diagnostic{path, int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  Diagnostics errors;
  auto line_of = [](const toml::node* n) { return n ? int(n->source().begin.line) : 0; };
  for (const auto& [k, v] : root)
    if (k != "region" && k != "person_type" && k != "identity")
      errors.push_back(Diagnostic{path, line_of(&v), std::string(k.str()), "unknown key"});
  const toml::table* r = root.get_as<toml::table>("region");
  if (!r) return Diagnostic{path, 1, "region", "missing [region] table"};
  for (const auto& [k, v] : *r)
    if (k != "admdvs" && k != "name" && k != "pooling" && k != "catalogue" && k != "institutions" &&
        k != "policies" && k != "synthetic" && k != "persons" && k != "employers" &&
        k != "credentials" && k != "require_signature")
      errors.push_back(
          Diagnostic{path, line_of(&v), "region." + std::string(k.str()), "unknown key"});
  region.admdvs = r->get("admdvs") ? r->get("admdvs")->value_or(std::string()) : "";
  if (region.admdvs.size() != 6 ||
      !std::all_of(region.admdvs.begin(), region.admdvs.end(), ::isdigit))
    errors.push_back(Diagnostic{path, line_of(r->get("admdvs")), "region.admdvs",
                                "expected a 6-digit admdvs code"});
  region.name = r->get("name") ? r->get("name")->value_or(std::string()) : "";
  std::string pooling =
      r->get("pooling") ? r->get("pooling")->value_or(std::string("city")) : "city";
  if (pooling != "city" && pooling != "province")
    errors.push_back(Diagnostic{path, line_of(r->get("pooling")), "region.pooling",
                                "expected city or province"});
  region.province_pooling = pooling == "province";
  if (const toml::node* sig = r->get("require_signature")) {
    if (!sig->is_boolean())
      errors.push_back(
          Diagnostic{path, line_of(sig), "region.require_signature", "expected true or false"});
    region.require_signature = sig->value_or(false);
  }
  auto file_of = [&](const char* key, const char* fallback) {
    std::string v = r->get(key) ? r->get(key)->value_or(std::string(fallback)) : fallback;
    return (fs::path(dir) / v).string();
  };
  if (auto arr = root.get_as<toml::array>("person_type")) {
    for (auto& n : *arr) {
      auto t = n.as_table();
      if (!t || !t->get("id")) {
        errors.push_back(
            Diagnostic{path, line_of(&n), "person_type", "needs id (and name, national_code)"});
        continue;
      }
      PersonType p{t->get("id")->value_or(std::string()),
                   t->get("name") ? t->get("name")->value_or(std::string()) : "",
                   t->get("national_code") ? t->get("national_code")->value_or(std::string()) : ""};
      region.vocabulary.psn_types.push_back(p.id);
      region.person_types.push_back(std::move(p));
    }
  }
  if (auto arr = root.get_as<toml::array>("identity")) {
    for (auto& n : *arr) {
      auto t = n.as_table();
      if (!t || !t->get("id")) {
        errors.push_back(Diagnostic{path, line_of(&n), "identity", "needs id and name"});
        continue;
      }
      std::string id = t->get("id")->value_or(std::string());
      region.identities.emplace_back(id,
                                     t->get("name") ? t->get("name")->value_or(std::string()) : "");
      region.vocabulary.identities.push_back(id);
    }
  }
  if (!errors.empty()) return errors;

  region.catalogue_file = file_of("catalogue", "catalogue.csv");
  region.policies_dir = file_of("policies", "policies");
  auto catalogue = LoadCatalogueCsv(region.catalogue_file, region.admdvs);
  if (catalogue)
    region.catalogue = std::move(*catalogue);
  else
    Append(errors, catalogue.errors());
  Append(errors,
         LoadInstitutions(file_of("institutions", "institutions.csv"), region.institutions));
  auto policies = LoadPolicies(region.policies_dir, &region.vocabulary);
  if (policies) {
    region.policies = std::move(*policies);
    for (const auto& p : region.policies)
      if (p.region != region.admdvs)
        errors.push_back(Diagnostic{p.file, 0, "policy.region",
                                    "policy is for " + p.region + ", region is " + region.admdvs});
  } else {
    Append(errors, policies.errors());
  }
  // The register, when named: employers before persons (emp_no), institutions before credentials.
  if (r->get("employers"))
    Append(errors, LoadEmployers(file_of("employers", ""), region.employers));
  if (r->get("persons"))
    Append(errors, LoadPersons(file_of("persons", ""), region, region.persons));
  if (r->get("credentials"))
    Append(errors,
           LoadCredentials(file_of("credentials", ""), region.institutions, region.credentials));
  if (!errors.empty()) return errors;
  return region;
}

}  // namespace yibao
