#include "interface/transaction_input.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <utility>
#include <variant>

#include "base/date.h"
#include "base/decimal.h"
#include "codes/code_format.h"
#include "interface/json_fields.h"

namespace yibao {
namespace {

namespace od = simdjson::ondemand;

// 3201's fixmedins_setl_cnt: far above the settlements of one institution in any period.
constexpr int64_t kMaxReconciliationCount = 1'000'000'000;

// ---- Field specifications ---------------------------------------------------------------------

enum class Kind : uint8_t {
  kText,         // any text without control characters other than tab and newline (names…)
  kId,           // visible ASCII without spaces (ids, numbers, codes of the HIS)
  kDict,         // ASCII letters and digits (dictionary values: med_type, insutype, flags…)
  kTime,         // "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD", kept in the long form
  kDate,         // "YYYY-MM-DD" (a long form is accepted; the day is kept)
  kDiagnosis,    // ICD-10 医保版 (CheckDiagnosisCode)
  kProcedure,    // ICD-9-CM-3 医保版 (CheckProcedureCode)
  kAdmdvs,       // 6 digits (CheckAdmdvs)
  kMedList,      // national drug / consumable / service-item code
  kMoney,        // yuan, ≤ 2 decimals, ≥ 0
  kSignedMoney,  // yuan, ≤ 2 decimals
  kFlag,         // true / false / "1" / "0" / ""
  kInt,          // integer in [lo, hi] ("7.00" is 7)
  kInt64,
  kQuantity,  // cnt: ≤ 4 decimals, exact text kept
  kPrice,     // pric: ≤ 6 decimals, exact text kept
};

using Target = std::variant<std::string*, Money*, bool*, int*, int64_t*, Quantity*, UnitPrice*>;

struct Field {
  std::string_view name;
  Kind kind;
  size_t max_chars = 0;  // text kinds
  Target out;
  std::string* text = nullptr;  // kQuantity / kPrice: the exact text as sent
  int64_t lo = 0, hi = 0;       // kInt / kInt64
  bool required = false;

  Field Required() const {
    Field f = *this;
    f.required = true;
    return f;
  }
};

Field Text(std::string_view name, std::string& out, size_t max = 200) {
  return {name, Kind::kText, max, &out};
}
Field Id(std::string_view name, std::string& out, size_t max = 30) {
  return {name, Kind::kId, max, &out};
}
Field Dict(std::string_view name, std::string& out, size_t max = 6) {
  return {name, Kind::kDict, max, &out};
}
Field Time(std::string_view name, std::string& out) { return {name, Kind::kTime, 19, &out}; }
Field Day(std::string_view name, std::string& out) { return {name, Kind::kDate, 19, &out}; }
Field Code(std::string_view name, Kind kind, std::string& out) { return {name, kind, 50, &out}; }
Field Amount(std::string_view name, Money& out) { return {name, Kind::kMoney, 0, &out}; }
Field SignedAmount(std::string_view name, Money& out) {
  return {name, Kind::kSignedMoney, 0, &out};
}
Field YesNo(std::string_view name, bool& out) { return {name, Kind::kFlag, 0, &out}; }
Field Integer(std::string_view name, int& out, int lo, int hi) {
  return {name, Kind::kInt, 0, &out, nullptr, lo, hi};
}
Field Integer64(std::string_view name, int64_t& out, int64_t lo, int64_t hi) {
  return {name, Kind::kInt64, 0, &out, nullptr, lo, hi};
}
Field Count(std::string_view name, Quantity& out, std::string& text) {
  return {name, Kind::kQuantity, 0, &out, &text};
}
Field Price(std::string_view name, UnitPrice& out, std::string& text) {
  return {name, Kind::kPrice, 0, &out, &text};
}

std::string Join(std::string_view path, std::string_view name) {
  std::string s;
  s.reserve(path.size() + 1 + name.size());
  s.append(path);
  if (!path.empty()) s += '.';
  s.append(name);
  return s;
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// "YYYY-MM-DD" → "YYYY-MM-DD 00:00:00"; "YYYY-MM-DD HH:MM:SS" (or 'T') → the same with a space.
bool NormaliseTime(std::string_view s, std::string& out) {
  if (!Date::Parse(s)) return false;
  out.assign(s.substr(0, 10));
  if (s.size() == 10) {
    out += " 00:00:00";
  } else {
    out += ' ';
    out.append(s.substr(11));
  }
  return true;
}

// The national medical-list code of a fee line: a drug (X…/Z…), a consumable (C…) or a service
// item (a digit first).
std::optional<std::string> CheckMedListCode(std::string_view code) {
  if (code.empty()) return "empty";
  if (code[0] == 'X' || code[0] == 'Z') return CheckDrugCode(code);
  if (code[0] == 'C') return CheckConsumableCode(code);
  if (IsDigit(code[0])) return CheckServiceItemCode(code);
  return std::string(
      "expected a national code: a drug (X… or Z…), a consumable (C…) or a service item (digits)");
}

// ---- The reader -------------------------------------------------------------------------------

class InputReader : public JsonFieldReader {
 public:
  // Reads the known fields of `obj` into `fields` (each at most once); other keys are skipped
  // (their values must still be well-formed JSON). Then every required field must have been
  // given non-empty.
  bool Fields(od::object obj, std::string_view path, std::span<Field> fields) {
    uint64_t seen = 0, given = 0;
    for (auto member : obj) {
      std::string_view key;
      if (member.unescaped_key().get(key)) return Fail(std::string(path), "malformed JSON");
      size_t i = 0;
      while (i < fields.size() && fields[i].name != key) ++i;
      if (i == fields.size()) {  // other national fields are accepted, but must be JSON
        if (!SkipUnused(member, path, key)) return false;
        continue;
      }
      if (seen >> i & 1) return Fail(Join(path, key), "repeated field");
      seen |= uint64_t{1} << i;
      od::value v;
      if (member.value().get(v)) return Fail(Join(path, key), "malformed JSON");
      bool has = false;
      if (!Read(v, path, fields[i], has)) return false;
      if (has) given |= uint64_t{1} << i;
    }
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].required && !(given >> i & 1))
        return Fail(Join(path, fields[i].name), "required");
    return true;
  }

  // Visits the members of the input object named in `names` (each at most once), calling
  // read(index, value) for each; the rest are skipped (but must be well-formed JSON).
  template <typename F>
  bool Sections(od::object root, std::span<const std::string_view> names, F&& read) {
    uint32_t seen = 0;
    for (auto member : root) {
      std::string_view key;
      if (member.unescaped_key().get(key)) return Fail("", "malformed JSON");
      size_t i = 0;
      while (i < names.size() && names[i] != key) ++i;
      if (i == names.size()) {
        if (!SkipUnused(member, "", key)) return false;
        continue;
      }
      if (seen >> i & 1) return Fail(std::string(key), "repeated field");
      seen |= uint32_t{1} << i;
      od::value v;
      if (member.value().get(v)) return Fail(std::string(key), "malformed JSON");
      if (!read(i, v)) return false;
    }
    return true;
  }

  // An object section `name` (required) beside an optional "diseinfo" array — the shape of 2203,
  // 2401 and 2402. read_info(obj, path) reads the section's fields.
  template <typename F>
  bool InfoWithDiagnoses(od::object root, std::string_view name,
                         std::vector<DiagnosisInput>& diseinfo, F&& read_info) {
    const std::string_view names[] = {name, "diseinfo"};
    const std::string path(name);
    bool has_info = false;
    bool ok = Sections(root, names, [&](size_t i, od::value v) {
      if (i == 1) return Diagnoses(v, diseinfo);
      od::object obj;
      if (!Object(v, path, obj, has_info)) return false;
      return !has_info || read_info(obj, path);
    });
    if (!ok) return false;
    if (!has_info) return Fail(path, "required");
    return true;
  }

  // An object, or null (present = false).
  bool Object(od::value v, const std::string& path, od::object& obj, bool& present) {
    od::json_type t;
    if (v.type().get(t)) return Fail(path, "malformed JSON");
    if (t == od::json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return Fail(path, "malformed JSON");
      present = false;
      return true;
    }
    if (t != od::json_type::object) return Fail(path, "expected an object");
    if (v.get_object().get(obj)) return Fail(path, "malformed JSON");
    present = true;
    return true;
  }

  // An array, or null (present = false).
  bool Array(od::value v, const std::string& path, od::array& arr, bool& present,
             const char* expected) {
    od::json_type t;
    if (v.type().get(t)) return Fail(path, "malformed JSON");
    if (t == od::json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return Fail(path, "malformed JSON");
      present = false;
      return true;
    }
    if (t != od::json_type::array) return Fail(path, expected);
    if (v.get_array().get(arr)) return Fail(path, "malformed JSON");
    present = true;
    return true;
  }

  // The input object with one required object member `name`, read by read_fields(obj, path).
  template <typename F>
  bool OneObject(od::object root, std::string_view name, F&& read_fields) {
    const std::string_view names[] = {name};
    bool present = false;
    std::string path(name);
    bool ok = Sections(root, names, [&](size_t, od::value v) {
      od::object obj;
      if (!Object(v, path, obj, present)) return false;
      return !present || read_fields(obj, path);
    });
    if (!ok) return false;
    if (!present) return Fail(path, "required");
    return true;
  }

  // input.diseinfo: up to kMaxDiagnoses diagnoses.
  bool Diagnoses(od::value v, std::vector<DiagnosisInput>& out) {
    const std::string path = "diseinfo";
    od::array arr;
    bool present = false;
    if (!Array(v, path, arr, present, "expected an array of diagnoses")) return false;
    if (!present) return true;
    size_t i = 0;
    for (auto element : arr) {
      std::string at = Index(path, i);
      if (i++ == kMaxDiagnoses)
        return Fail(path, "more than " + std::to_string(kMaxDiagnoses) + " diagnoses");
      od::value ev;
      if (element.get(ev)) return Fail(at, "malformed JSON");
      od::object obj;
      bool is_object = false;
      if (!Object(ev, at, obj, is_object)) return false;
      if (!is_object) return Fail(at, "expected an object");
      DiagnosisInput d;
      Field fields[] = {
          Dict("diag_type", d.diag_type, 3),
          Dict("maindiag_flag", d.maindiag_flag, 3),
          Integer("diag_srt_no", d.diag_srt_no, 1, 999).Required(),
          Id("diag_code", d.diag_code, 50).Required(),
          Text("diag_name", d.diag_name),
          Text("diag_dept", d.diag_dept, 50),
          Id("dise_dor_no", d.dise_dor_no),
          Text("dise_dor_name", d.dise_dor_name, 50),
          Time("diag_time", d.diag_time),
      };
      if (!Fields(obj, at, fields)) return false;
      // Western-medicine diagnoses are ICD-10 医保版; the 中医 ones (2, 3) use the TCM
      // classification, whose codes yibao does not check.
      if (d.diag_type.empty() || d.diag_type == "1")
        if (auto why = CheckDiagnosisCode(d.diag_code))
          return Fail(at + ".diag_code", "not an ICD-10 医保版 diagnosis code: " + *why);
      out.push_back(std::move(d));
    }
    return true;
  }

 private:
  // How deep a value this parser does not use may nest (national inputs nest three levels).
  static constexpr int kMaxUnusedDepth = 32;

  // Walks a value this parser does not use, so that malformed JSON in it is still an error:
  // on-demand skips a value by counting brackets only, so `[1}` or `tru` would pass unseen.
  // Returns what is wrong, or nullptr.
  static const char* Unused(od::value v, int depth) {
    if (depth > kMaxUnusedDepth) return "nested too deeply";
    od::json_type t;
    if (v.type().get(t)) return "malformed JSON";
    if (t == od::json_type::object) {
      od::object obj;
      if (v.get_object().get(obj)) return "malformed JSON";
      for (auto member : obj) {
        std::string_view key;
        od::value mv;
        if (member.unescaped_key().get(key) || member.value().get(mv)) return "malformed JSON";
        if (const char* problem = Unused(mv, depth + 1)) return problem;
      }
      return nullptr;
    }
    if (t == od::json_type::array) {
      od::array arr;
      if (v.get_array().get(arr)) return "malformed JSON";
      for (auto element : arr) {
        od::value ev;
        if (element.get(ev)) return "malformed JSON";
        if (const char* problem = Unused(ev, depth + 1)) return problem;
      }
      return nullptr;
    }
    if (t == od::json_type::boolean) {
      bool b;
      return v.get_bool().get(b) ? "malformed JSON" : nullptr;
    }
    std::string_view text;
    return ScalarText(v, text);  // string, number or null
  }

  bool SkipUnused(simdjson::simdjson_result<od::field>& member, std::string_view path,
                  std::string_view key) {
    od::value v;
    if (member.value().get(v)) return Fail(Join(path, key), "malformed JSON");
    if (const char* problem = Unused(v, 0)) return Fail(Join(path, key), problem);
    return true;
  }

  bool Read(od::value v, std::string_view path, const Field& f, bool& has) {
    if (f.kind == Kind::kFlag) {
      od::json_type t;
      if (v.type().get(t)) return Fail(Join(path, f.name), "malformed JSON");
      if (t == od::json_type::boolean) {
        if (v.get_bool().get(*std::get<bool*>(f.out)))
          return Fail(Join(path, f.name), "malformed JSON");
        has = true;
        return true;
      }
    }
    std::string_view s;
    if (const char* problem = ScalarText(v, s)) return Fail(Join(path, f.name), problem);
    if (s.empty()) return true;  // absent
    has = true;
    switch (f.kind) {
      case Kind::kText:
        for (unsigned char c : s)
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return Fail(Join(path, f.name), "control characters are not allowed");
        return Assign(path, f, s);
      case Kind::kId:
        for (unsigned char c : s)
          if (c < 0x21 || c > 0x7e)
            return Fail(
                Join(path, f.name),
                "expected visible ASCII characters without spaces, got " + QuoteForMessage(s));
        return Assign(path, f, s);
      case Kind::kDict:
        for (char c : s)
          if (!IsAlnum(c))
            return Fail(Join(path, f.name),
                        "expected a code of letters and digits, got " + QuoteForMessage(s));
        return Assign(path, f, s);
      case Kind::kTime:
        if (!NormaliseTime(s, *std::get<std::string*>(f.out)))
          return Fail(Join(path, f.name),
                      "expected a real time as YYYY-MM-DD HH:MM:SS or YYYY-MM-DD, got " +
                          QuoteForMessage(s));
        return true;
      case Kind::kDate:
        if (!Date::Parse(s))
          return Fail(Join(path, f.name),
                      "expected a real date as YYYY-MM-DD, got " + QuoteForMessage(s));
        std::get<std::string*>(f.out)->assign(s.substr(0, 10));
        return true;
      case Kind::kDiagnosis:
      case Kind::kProcedure:
      case Kind::kAdmdvs:
      case Kind::kMedList: {
        if (Utf8CodePoints(s) > f.max_chars) return TooLong(path, f);
        std::optional<std::string> why;
        const char* what = "";
        if (f.kind == Kind::kDiagnosis) {
          why = CheckDiagnosisCode(s);
          what = "not an ICD-10 医保版 diagnosis code: ";
        } else if (f.kind == Kind::kProcedure) {
          why = CheckProcedureCode(s);
          what = "not an ICD-9-CM-3 医保版 procedure code: ";
        } else if (f.kind == Kind::kAdmdvs) {
          why = CheckAdmdvs(s);
          what = "not an admdvs code (6 digits): ";
        } else {
          why = CheckMedListCode(s);
          what = "not a national medical-list code: ";
        }
        if (why) return Fail(Join(path, f.name), what + *why);
        std::get<std::string*>(f.out)->assign(s);
        return true;
      }
      case Kind::kMoney:
      case Kind::kSignedMoney: {
        auto m = Money::ParseYuan(s);
        if (!m)
          return Fail(
              Join(path, f.name),
              "expected an amount in yuan with at most 2 decimals, got " + QuoteForMessage(s));
        if (f.kind == Kind::kMoney && m->is_negative())
          return Fail(Join(path, f.name), "expected an amount ≥ 0, got " + QuoteForMessage(s));
        *std::get<Money*>(f.out) = *m;
        return true;
      }
      case Kind::kFlag:
        if (s == "1")
          *std::get<bool*>(f.out) = true;
        else if (s == "0")
          *std::get<bool*>(f.out) = false;
        else
          return Fail(Join(path, f.name), "expected \"1\" or \"0\", got " + QuoteForMessage(s));
        return true;
      case Kind::kInt:
      case Kind::kInt64: {
        const int64_t limit = std::max(f.hi, f.lo < 0 ? -f.lo : f.lo);
        auto n = ParseScaledDecimal(
            s,
            {.decimals = 0, .limit = limit, .allow_negative = f.lo < 0, .allow_extra_zeros = true});
        if (!n || *n < f.lo || *n > f.hi)
          return Fail(Join(path, f.name), "expected a whole number " + std::to_string(f.lo) + ".." +
                                              std::to_string(f.hi) + ", got " + QuoteForMessage(s));
        if (f.kind == Kind::kInt)
          *std::get<int*>(f.out) = int(*n);
        else
          *std::get<int64_t*>(f.out) = *n;
        return true;
      }
      case Kind::kQuantity: {
        if (s[0] == '-')
          return Fail(Join(path, f.name),
                      "negative quantities (refunds) are not uploaded: cancel the line with "
                      "2205 / 2302, got " +
                          QuoteForMessage(s));
        auto q = Quantity::Parse(s);
        if (!q)
          return Fail(Join(path, f.name),
                      "expected a quantity with at most 4 decimals (up to 100000000), got " +
                          QuoteForMessage(s));
        *std::get<Quantity*>(f.out) = *q;
        f.text->assign(s);
        return true;
      }
      case Kind::kPrice: {
        auto p = UnitPrice::Parse(s);
        if (!p)
          return Fail(Join(path, f.name),
                      "expected a price ≥ 0 in yuan with at most 6 decimals (up to 100000000), "
                      "got " +
                          QuoteForMessage(s));
        *std::get<UnitPrice*>(f.out) = *p;
        f.text->assign(s);
        return true;
      }
    }
    return Fail(Join(path, f.name), "internal: unknown field kind");
  }

  bool Assign(std::string_view path, const Field& f, std::string_view s) {
    if (Utf8CodePoints(s) > f.max_chars) return TooLong(path, f);
    std::get<std::string*>(f.out)->assign(s);
    return true;
  }

  bool TooLong(std::string_view path, const Field& f) {
    return Fail(Join(path, f.name), "longer than " + std::to_string(f.max_chars) + " characters");
  }
};

// Parses `json` as one object and runs parse(reader, root, out) on it.
template <typename T, typename F>
Result<T> Run(std::string_view json, F&& parse) {
  if (json.size() > kMaxTransactionInputBytes)
    return Diagnostic{"", 0, "",
                      "input larger than " + std::to_string(kMaxTransactionInputBytes) + " bytes"};
  // One parser and one padded buffer per thread: no allocation once they have grown. No parse
  // below calls another, so they are never used twice at once.
  thread_local od::parser parser;
  thread_local std::string buffer;
  buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
  if (!json.empty()) std::memcpy(buffer.data(), json.data(), json.size());
  std::memset(buffer.data() + json.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  if (parser.iterate(buffer.data(), json.size(), buffer.size()).get(doc))
    return Diagnostic{"", 0, "", "malformed JSON"};
  od::object root;
  if (auto e = doc.get_object().get(root))
    return Diagnostic{"", 0, "",
                      e == simdjson::INCORRECT_TYPE ? "expected a JSON object" : "malformed JSON"};
  InputReader reader;
  T out;
  if (!parse(reader, root, out)) {
    if (reader.error) return *reader.error;
    return Diagnostic{"", 0, "", "internal: parse failed without a diagnostic"};
  }
  // At the end of the document current_location() is out of bounds; anything else is left over.
  const char* rest = nullptr;
  if (!doc.current_location().get(rest))
    return Diagnostic{"", 0, "", "malformed JSON: trailing content after the object"};
  return out;
}

// The first index (in document order) whose key repeats an earlier one's, with that earlier
// index; npos when all keys differ. O(n log n): a call may carry 10 000 lines.
template <typename Key>
size_t FirstDuplicate(size_t n, Key&& key, size_t* earlier) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  // Stable: within a group of equal keys the indices stay ascending, so a group's second member
  // is its first repetition and its first member the original.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  size_t best = std::string::npos;
  for (size_t k = 1; k < n; ++k)
    if (key(order[k]) == key(order[k - 1]) && (k == 1 || key(order[k - 1]) != key(order[k - 2])) &&
        (best == std::string::npos || order[k] < best)) {
      best = order[k];
      *earlier = order[k - 1];
    }
  return best;
}

}  // namespace

// ---- 9001 / 9002 ------------------------------------------------------------------------------

Result<SignInInput> ParseSignInInput(std::string_view json) {
  return Run<SignInInput>(json, [](InputReader& r, od::object root, SignInInput& in) {
    return r.OneObject(root, "signIn", [&](od::object obj, const std::string& path) {
      Field fields[] = {
          Id("opter_no", in.opter_no).Required(),
          Id("mac", in.mac, 50),
          Id("ip", in.ip, 50),
          Id("credential", in.credential, 256).Required(),
      };
      return r.Fields(obj, path, fields);
    });
  });
}

Result<SignOutInput> ParseSignOutInput(std::string_view json) {
  return Run<SignOutInput>(json, [](InputReader& r, od::object root, SignOutInput& in) {
    return r.OneObject(root, "signOut", [&](od::object obj, const std::string& path) {
      Field fields[] = {
          Id("sign_no", in.sign_no).Required(),
          Id("opter_no", in.opter_no),
      };
      return r.Fields(obj, path, fields);
    });
  });
}

// ---- 1101 -------------------------------------------------------------------------------------

Result<PersonQueryInput> ParsePersonQueryInput(std::string_view json) {
  return Run<PersonQueryInput>(json, [](InputReader& r, od::object root, PersonQueryInput& in) {
    return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
      Field fields[] = {
          Dict("mdtrt_cert_type", in.mdtrt_cert_type, 3),
          Id("mdtrt_cert_no", in.mdtrt_cert_no, 100),
          Id("card_sn", in.card_sn, 50),
          Time("begntime", in.begntime),
          Dict("psn_cert_type", in.psn_cert_type, 6),
          Id("certno", in.certno, 50),
          Text("psn_name", in.psn_name, 50),
          Id("psn_no", in.psn_no),
      };
      if (!r.Fields(obj, path, fields)) return false;
      if (!in.psn_no.empty()) return true;
      if (!in.mdtrt_cert_type.empty() && !in.mdtrt_cert_no.empty()) return true;
      if (!in.psn_cert_type.empty() && !in.certno.empty()) return true;
      if (!in.mdtrt_cert_type.empty())
        return r.Fail(path + ".mdtrt_cert_no", "required with mdtrt_cert_type");
      if (!in.mdtrt_cert_no.empty())
        return r.Fail(path + ".mdtrt_cert_type", "required with mdtrt_cert_no");
      if (!in.psn_cert_type.empty()) return r.Fail(path + ".certno", "required with psn_cert_type");
      if (!in.certno.empty()) return r.Fail(path + ".psn_cert_type", "required with certno");
      return r.Fail(path + ".psn_no",
                    "required (or mdtrt_cert_type + mdtrt_cert_no, or psn_cert_type + certno)");
    });
  });
}

// ---- 2201 / 2203 ------------------------------------------------------------------------------

Result<OutpatientRegistrationInput> ParseOutpatientRegistrationInput(std::string_view json) {
  return Run<OutpatientRegistrationInput>(
      json, [](InputReader& r, od::object root, OutpatientRegistrationInput& in) {
        return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
          Field fields[] = {
              Id("psn_no", in.psn_no).Required(),
              Dict("insutype", in.insutype).Required(),
              Time("begntime", in.begntime).Required(),
              Dict("mdtrt_cert_type", in.mdtrt_cert_type, 3),
              Id("mdtrt_cert_no", in.mdtrt_cert_no, 100),
              Id("ipt_otp_no", in.ipt_otp_no).Required(),
              Id("atddr_no", in.atddr_no),
              Text("dr_name", in.dr_name, 50),
              Id("dept_code", in.dept_code, 50),
              Text("dept_name", in.dept_name),
              Id("caty", in.caty, 50),
          };
          return r.Fields(obj, path, fields);
        });
      });
}

Result<VisitInfoInput> ParseVisitInfoInput(std::string_view json) {
  return Run<VisitInfoInput>(json, [](InputReader& r, od::object root, VisitInfoInput& in) {
    return r.InfoWithDiagnoses(root, "mdtrtinfo", in.diseinfo,
                               [&](od::object obj, const std::string& path) {
                                 Field fields[] = {
                                     Id("mdtrt_id", in.mdtrt_id).Required(),
                                     Id("psn_no", in.psn_no).Required(),
                                     Dict("med_type", in.med_type).Required(),
                                     Time("begntime", in.begntime),
                                     Text("main_cond_dscr", in.main_cond_dscr, 1000),
                                     Id("dise_codg", in.dise_codg, 50),
                                     Text("dise_name", in.dise_name),
                                     Dict("birctrl_type", in.birctrl_type),
                                     Day("birctrl_matn_date", in.birctrl_matn_date),
                                 };
                                 return r.Fields(obj, path, fields);
                               });
  });
}

// ---- 2204 / 2301 ------------------------------------------------------------------------------

Result<FeeUploadInput> ParseFeeUploadInput(std::string_view json) {
  return Run<FeeUploadInput>(json, [](InputReader& r, od::object root, FeeUploadInput& in) {
    static constexpr std::string_view kNames[] = {"feedetail"};
    const std::string path = "feedetail";
    bool present = false;
    bool ok = r.Sections(root, kNames, [&](size_t, od::value v) {
      od::array arr;
      if (!r.Array(v, path, arr, present, "expected an array of fee lines")) return false;
      if (!present) return true;
      auto& lines = in.feedetail;
      for (auto element : arr) {
        const size_t i = lines.size();
        if (i == kMaxTransactionFeeLines)
          return r.Fail(
              path, "more than " + std::to_string(kMaxTransactionFeeLines) + " lines in one call");
        std::string at = Index(path, i);
        od::value ev;
        if (element.get(ev)) return r.Fail(at, "malformed JSON");
        od::object obj;
        bool is_object = false;
        if (!r.Object(ev, at, obj, is_object)) return false;
        if (!is_object) return r.Fail(at, "expected an object");
        FeeDetailInput& l = lines.emplace_back();
        Field fields[] = {
            Id("feedetl_sn", l.feedetl_sn).Required(),
            Id("mdtrt_id", l.mdtrt_id).Required(),
            Id("psn_no", l.psn_no).Required(),
            Id("chrg_bchno", l.chrg_bchno).Required(),
            Id("dise_codg", l.dise_codg, 50),
            Id("rxno", l.rxno),
            Dict("rx_circ_flag", l.rx_circ_flag, 3),
            Time("fee_ocur_time", l.fee_ocur_time).Required(),
            Code("med_list_codg", Kind::kMedList, l.med_list_codg).Required(),
            Text("medins_list_codg", l.medins_list_codg, 150).Required(),
            Amount("det_item_fee_sumamt", l.det_item_fee_sumamt).Required(),
            Count("cnt", l.cnt, l.cnt_text).Required(),
            Price("pric", l.pric, l.pric_text).Required(),
            Text("sin_dos_dscr", l.sin_dos_dscr),
            Text("used_frqu_dscr", l.used_frqu_dscr),
            Integer("prd_days", l.prd_days, 0, 9999),
            Text("medc_way_dscr", l.medc_way_dscr),
            Id("bilg_dept_codg", l.bilg_dept_codg, 50),
            Text("bilg_dept_name", l.bilg_dept_name),
            Id("bilg_dr_codg", l.bilg_dr_codg, 50),
            Text("bilg_dr_name", l.bilg_dr_name, 50),
            Dict("hosp_appr_flag", l.hosp_appr_flag, 3),
            Dict("tcmdrug_used_way", l.tcmdrug_used_way),
            Dict("etip_flag", l.etip_flag, 3),
            Dict("dscg_tkdrug_flag", l.dscg_tkdrug_flag, 3),
            Dict("matn_fee_flg", l.matn_fee_flg, 3),
        };
        if (!r.Fields(obj, at, fields)) return false;
        if (l.cnt.scaled() == 0) return r.Fail(at + ".cnt", "must be greater than 0");
        const Money expected = LineAmount(l.pric, l.cnt);
        if (expected != l.det_item_fee_sumamt)
          return r.Fail(at + ".det_item_fee_sumamt",
                        "expected pric × cnt = " + l.pric_text + " × " + l.cnt_text + " = " +
                            expected.ToString() + " (half-up to the fen), got " +
                            l.det_item_fee_sumamt.ToString());
        if (i > 0) {
          if (l.mdtrt_id != lines[0].mdtrt_id)
            return r.Fail(at + ".mdtrt_id", "differs from feedetail[0].mdtrt_id " +
                                                QuoteForMessage(lines[0].mdtrt_id) +
                                                ": one call uploads the lines of one visit");
          if (l.psn_no != lines[0].psn_no)
            return r.Fail(at + ".psn_no", "differs from feedetail[0].psn_no " +
                                              QuoteForMessage(lines[0].psn_no) +
                                              ": one call uploads the lines of one person");
        }
      }
      return true;
    });
    if (!ok) return false;
    if (!present) return r.Fail(path, "required");
    if (in.feedetail.empty()) return r.Fail(path, "empty: at least one fee line is required");
    size_t earlier = 0;
    size_t dup = FirstDuplicate(
        in.feedetail.size(),
        [&](size_t i) -> std::string_view { return in.feedetail[i].feedetl_sn; }, &earlier);
    if (dup != std::string::npos)
      return r.Fail(Index(path, dup) + ".feedetl_sn",
                    "duplicate " + QuoteForMessage(in.feedetail[dup].feedetl_sn) + " (also " +
                        Index(path, earlier) + "): feedetl_sn must be unique within the call");
    return true;
  });
}

// ---- 2205 / 2302 ------------------------------------------------------------------------------

Result<FeeCancelByBatchInput> ParseFeeCancelByBatchInput(std::string_view json) {
  return Run<FeeCancelByBatchInput>(
      json, [](InputReader& r, od::object root, FeeCancelByBatchInput& in) {
        return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
          Field fields[] = {
              Id("mdtrt_id", in.mdtrt_id).Required(),
              Id("chrg_bchno", in.chrg_bchno).Required(),
              Id("psn_no", in.psn_no).Required(),
          };
          return r.Fields(obj, path, fields);
        });
      });
}

Result<FeeCancelByLineInput> ParseFeeCancelByLineInput(std::string_view json) {
  return Run<FeeCancelByLineInput>(json, [](InputReader& r, od::object root,
                                            FeeCancelByLineInput& in) {
    static constexpr std::string_view kNames[] = {"data"};
    const std::string path = "data";
    bool present = false, is_array = false;
    auto& lines = in.lines;
    auto line = [&](od::object obj, const std::string& at) {
      FeeCancelByLineInput::Line& l = lines.emplace_back();
      Field fields[] = {
          Id("feedetl_sn", l.feedetl_sn).Required(),
          Id("mdtrt_id", l.mdtrt_id).Required(),
          Id("psn_no", l.psn_no).Required(),
      };
      if (!r.Fields(obj, at, fields)) return false;
      if (lines.size() > 1) {
        if (l.mdtrt_id != lines[0].mdtrt_id)
          return r.Fail(at + ".mdtrt_id", "differs from data[0].mdtrt_id " +
                                              QuoteForMessage(lines[0].mdtrt_id) +
                                              ": one call cancels lines of one visit");
        if (l.psn_no != lines[0].psn_no)
          return r.Fail(at + ".psn_no", "differs from data[0].psn_no " +
                                            QuoteForMessage(lines[0].psn_no) +
                                            ": one call cancels lines of one person");
      }
      return true;
    };
    bool ok = r.Sections(root, kNames, [&](size_t, od::value v) {
      od::json_type t;
      if (v.type().get(t)) return r.Fail(path, "malformed JSON");
      if (t == od::json_type::object) {
        od::object obj;
        if (v.get_object().get(obj)) return r.Fail(path, "malformed JSON");
        present = true;
        return line(obj, path);
      }
      od::array arr;
      if (!r.Array(v, path, arr, present, "expected an object or an array of objects"))
        return false;
      if (!present) return true;
      is_array = true;
      for (auto element : arr) {
        const size_t i = lines.size();
        if (i == kMaxTransactionFeeLines)
          return r.Fail(
              path, "more than " + std::to_string(kMaxTransactionFeeLines) + " lines in one call");
        std::string at = Index(path, i);
        od::value ev;
        if (element.get(ev)) return r.Fail(at, "malformed JSON");
        od::object obj;
        bool is_object = false;
        if (!r.Object(ev, at, obj, is_object)) return false;
        if (!is_object) return r.Fail(at, "expected an object");
        if (!line(obj, at)) return false;
      }
      return true;
    });
    if (!ok) return false;
    if (!present) return r.Fail(path, "required");
    if (lines.empty()) return r.Fail(path, "empty: at least one line is required");
    auto at = [&](size_t i) { return is_array ? Index(path, i) : path; };
    if (lines.size() > 1)
      for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].feedetl_sn == "0000")
          return r.Fail(at(i) + ".feedetl_sn",
                        "\"0000\" (every line of the visit) cannot be combined with other "
                        "lines");
    size_t earlier = 0;
    size_t dup = FirstDuplicate(
        lines.size(), [&](size_t i) -> std::string_view { return lines[i].feedetl_sn; }, &earlier);
    if (dup != std::string::npos)
      return r.Fail(at(dup) + ".feedetl_sn", "duplicate " + QuoteForMessage(lines[dup].feedetl_sn) +
                                                 " (also " + at(earlier) + ")");
    return true;
  });
}

// ---- 2206 / 2207 / 2303 / 2304, 2208 / 2305 / 5203 --------------------------------------------

Result<SettleInput> ParseSettleInput(std::string_view json) {
  return Run<SettleInput>(json, [](InputReader& r, od::object root, SettleInput& in) {
    return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
      Field fields[] = {
          Id("psn_no", in.psn_no).Required(),
          Dict("mdtrt_cert_type", in.mdtrt_cert_type, 3),
          Id("mdtrt_cert_no", in.mdtrt_cert_no, 100),
          Dict("med_type", in.med_type),
          Amount("medfee_sumamt", in.medfee_sumamt).Required(),
          Dict("psn_setlway", in.psn_setlway, 3),
          Id("mdtrt_id", in.mdtrt_id).Required(),
          Id("chrg_bchno", in.chrg_bchno),
          Dict("insutype", in.insutype).Required(),
          YesNo("acct_used_flag", in.acct_used_flag),
          Dict("mid_setl_flag", in.mid_setl_flag, 3),
          Id("invono", in.invono, 50),
      };
      if (!r.Fields(obj, path, fields)) return false;
      if (in.mid_setl_flag == "1")
        return r.Fail(path + ".mid_setl_flag",
                      "中途结算 (settlement during the stay) is not supported: expected \"0\" or "
                      "nothing");
      return true;
    });
  });
}

Result<SettlementRefInput> ParseSettlementRefInput(std::string_view json) {
  return Run<SettlementRefInput>(json, [](InputReader& r, od::object root, SettlementRefInput& in) {
    return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
      Field fields[] = {
          Id("setl_id", in.setl_id).Required(),
          Id("mdtrt_id", in.mdtrt_id),
          Id("psn_no", in.psn_no).Required(),
      };
      return r.Fields(obj, path, fields);
    });
  });
}

// ---- 2401 / 2402 ------------------------------------------------------------------------------

Result<AdmissionInput> ParseAdmissionInput(std::string_view json) {
  return Run<AdmissionInput>(json, [](InputReader& r, od::object root, AdmissionInput& in) {
    return r.InfoWithDiagnoses(
        root, "mdtrtinfo", in.diseinfo, [&](od::object obj, const std::string& path) {
          Field fields[] = {
              Id("psn_no", in.psn_no).Required(),
              Dict("insutype", in.insutype).Required(),
              Time("begntime", in.begntime).Required(),
              Dict("mdtrt_cert_type", in.mdtrt_cert_type, 3),
              Id("mdtrt_cert_no", in.mdtrt_cert_no, 100),
              Dict("med_type", in.med_type).Required(),
              Id("ipt_no", in.ipt_no).Required(),
              Id("medrcdno", in.medrcdno),
              Id("atddr_no", in.atddr_no),
              Text("chfpdr_name", in.chfpdr_name, 50),
              Text("adm_diag_dscr", in.adm_diag_dscr, 1000),
              Id("adm_dept_codg", in.adm_dept_codg, 50),
              Text("adm_dept_name", in.adm_dept_name),
              Text("adm_bed", in.adm_bed, 30),
              Code("dscg_maindiag_code", Kind::kDiagnosis, in.dscg_maindiag_code),
              Text("main_cond_dscr", in.main_cond_dscr, 1000),
              Id("dise_codg", in.dise_codg, 50),
              Text("dise_name", in.dise_name),
              Code("oprn_oprt_code", Kind::kProcedure, in.oprn_oprt_code),
              Dict("matn_type", in.matn_type),
              Dict("birctrl_type", in.birctrl_type),
          };
          return r.Fields(obj, path, fields);
        });
  });
}

Result<DischargeInput> ParseDischargeInput(std::string_view json) {
  return Run<DischargeInput>(json, [](InputReader& r, od::object root, DischargeInput& in) {
    return r.InfoWithDiagnoses(root, "dscginfo", in.diseinfo,
                               [&](od::object obj, const std::string& path) {
                                 Field fields[] = {
                                     Id("mdtrt_id", in.mdtrt_id).Required(),
                                     Id("psn_no", in.psn_no).Required(),
                                     Dict("insutype", in.insutype).Required(),
                                     Time("endtime", in.endtime).Required(),
                                     Id("dise_codg", in.dise_codg, 50),
                                     Text("dise_name", in.dise_name),
                                     Code("oprn_oprt_code", Kind::kProcedure, in.oprn_oprt_code),
                                     Text("oprn_oprt_name", in.oprn_oprt_name),
                                     Id("dscg_dept_codg", in.dscg_dept_codg, 50),
                                     Text("dscg_dept_name", in.dscg_dept_name),
                                     Dict("dscg_way", in.dscg_way, 3),
                                     Day("die_date", in.die_date),
                                 };
                                 return r.Fields(obj, path, fields);
                               });
  });
}

// ---- 3201 -------------------------------------------------------------------------------------

Result<ReconciliationInput> ParseReconciliationInput(std::string_view json) {
  return Run<ReconciliationInput>(
      json, [](InputReader& r, od::object root, ReconciliationInput& in) {
        return r.OneObject(root, "data", [&](od::object obj, const std::string& path) {
          Field fields[] = {
              Dict("insutype", in.insutype).Required(),
              Dict("clr_type", in.clr_type).Required(),
              Code("setl_optins", Kind::kAdmdvs, in.setl_optins),
              Day("stmt_begndate", in.stmt_begndate).Required(),
              Day("stmt_enddate", in.stmt_enddate).Required(),
              SignedAmount("medfee_sumamt", in.medfee_sumamt).Required(),
              SignedAmount("fund_pay_sumamt", in.fund_pay_sumamt).Required(),
              SignedAmount("acct_pay", in.acct_pay).Required(),
              Integer64("fixmedins_setl_cnt", in.fixmedins_setl_cnt, -kMaxReconciliationCount,
                        kMaxReconciliationCount)
                  .Required(),
          };
          if (!r.Fields(obj, path, fields)) return false;
          if (in.stmt_enddate < in.stmt_begndate)
            return r.Fail(path + ".stmt_enddate", "before stmt_begndate (" + in.stmt_enddate +
                                                      " < " + in.stmt_begndate + ")");
          return true;
        });
      });
}

}  // namespace yibao
