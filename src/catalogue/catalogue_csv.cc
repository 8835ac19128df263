#include "catalogue/catalogue_csv.h"

#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "base/csv_reader.h"

namespace yibao {
namespace {

// ---- Columns ----------------------------------------------------------------------------------

enum Col : int {
  kCode,
  kName,
  kKind,
  kClass,
  kSelfpay,
  kPriceCap,
  kSex,
  kAgeMin,
  kAgeMax,
  kSetting,
  kMinLevel,
  kIndications,
  kInsutypes,
  kSpecialties,
  kStepTherapy,
  kApproval,
  kMaxQty,
  kMaxDays,
  kValidFrom,
  kValidTo,
  kColCount,
};

struct ColumnSpec {
  const char* name;
  bool required;
};

// Order matches enum Col.
constexpr std::array<ColumnSpec, kColCount> kColumns = {{
    {"code", true},       {"name", true},         {"kind", true},          {"class", true},
    {"selfpay", false},   {"price_cap", false},   {"sex", false},          {"age_min", false},
    {"age_max", false},   {"setting", false},     {"min_level", false},    {"indications", false},
    {"insutypes", false}, {"specialties", false}, {"step_therapy", false}, {"approval", false},
    {"max_qty", false},   {"max_days", false},    {"valid_from", false},   {"valid_to", false},
}};

// ---- Small text helpers -----------------------------------------------------------------------

// Spaces and tabs only: a line break inside a field is an error reported on its own.
std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsUpperAlnum(char c) { return IsDigit(c) || IsUpper(c); }
bool IsAlnum(char c) { return IsUpperAlnum(c) || (c >= 'a' && c <= 'z'); }

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Edit distance, for "did you mean" on misspelt column names (names are short ASCII).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string AllColumnNames() {
  std::string s;
  for (const auto& c : kColumns) {
    if (!s.empty()) s += ',';
    s += c.name;
  }
  return s;
}

std::optional<int> ParseSmallInt(std::string_view s, int lo, int hi) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

// ---- Diagnostics ------------------------------------------------------------------------------

class ErrorSink {
 public:
  explicit ErrorSink(std::string_view file) : file_(file) {}

  void Add(int line, std::string field, std::string message) {
    if (int(ds_.size()) >= kMaxCatalogueErrors) {
      ++dropped_;
      return;
    }
    ds_.push_back(Diagnostic{file_, line, std::move(field), std::move(message)});
  }
  bool empty() const { return ds_.empty(); }

  Diagnostics Take() {
    // Row checks run before the cross-row (overlap) check; a clerk reads the list top to bottom.
    std::stable_sort(ds_.begin(), ds_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    if (dropped_ > 0) {
      ds_.push_back(
          Diagnostic{file_, 0, "",
                     fmt::format("{} more errors not shown (fix the ones above first)", dropped_)});
    }
    return std::move(ds_);
  }

 private:
  std::string file_;
  Diagnostics ds_;
  int dropped_ = 0;
};

// ---- Codes ------------------------------------------------------------------------------------

// The national code structures (DOMAIN.md §2). Only the shape is checked here: whether a code
// exists in the national dictionaries is the codes module's business.
std::optional<std::string> CheckCode(ItemKind kind, std::string_view code) {
  const bool upper_alnum = std::all_of(code.begin(), code.end(), IsUpperAlnum);
  switch (kind) {
    case ItemKind::kDrug:
      if ((code[0] == 'X' || code[0] == 'Z') && (code.size() == 20 || code.size() == 23) &&
          upper_alnum)
        return std::nullopt;
      return fmt::format(
          "'{}' ({} characters) is not a drug code: X (western) or Z (Chinese patent) followed by "
          "upper-case letters and digits, 20 or 23 characters in all, e.g. XA01ABD075A002010100483",
          code, Utf8Length(code));
    case ItemKind::kConsumable:
      if (code[0] == 'C' && code.size() == 20 && upper_alnum) return std::nullopt;
      return fmt::format(
          "'{}' ({} characters) is not a consumable code: C followed by 19 upper-case letters and "
          "digits, e.g. C0201010130000010123",
          code, Utf8Length(code));
    case ItemKind::kServiceItem:
      if (IsDigit(code[0]) && code.size() >= 9 && code.size() <= 20 && upper_alnum)
        return std::nullopt;
      return fmt::format(
          "'{}' ({} characters) is not a service item code: 9 to 20 characters, a digit first, "
          "then digits or upper-case letters, e.g. 002501000010000",
          code, Utf8Length(code));
  }
  return "unknown kind";
}

// ---- Rows -------------------------------------------------------------------------------------

// Parses one data row. Reports every problem of the row; returns the item only if there were none.
class RowParser {
 public:
  RowParser(const std::array<int, kColCount>& index, const std::vector<std::string>& header,
            ErrorSink& errors)
      : index_(index), header_(header), errors_(errors) {}

  std::optional<CatalogueItem> Parse(const CsvRow& row) {
    row_ = &row;
    bad_ = false;
    CatalogueItem item;
    item.source_line = row.line;

    // Encoding first: every other message would quote mojibake.
    for (size_t i = 0; i < row.fields.size(); ++i) {
      if (!IsValidUtf8(row.fields[i])) {
        Error(header_[i],
              "not valid UTF-8; save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\"), "
              "not GBK/ANSI");
        return std::nullopt;
      }
    }

    std::string_view code = Required(kCode);
    std::string_view name = Required(kName);
    std::string_view kind = Required(kKind);
    std::string_view klass = Required(kClass);

    if (!name.empty()) {
      if (name.find_first_of("\r\n") != std::string_view::npos) {
        Error(kName, "the name contains a line break");
      } else {
        item.name = std::string(name);
      }
    }

    std::optional<ItemKind> item_kind;
    if (!kind.empty()) {
      std::string k = AsciiLower(kind);
      if (k == "drug") {
        item_kind = ItemKind::kDrug;
      } else if (k == "service") {
        item_kind = ItemKind::kServiceItem;
      } else if (k == "consumable") {
        item_kind = ItemKind::kConsumable;
      } else {
        Error(kKind, fmt::format("'{}' is not a kind; use drug, service or consumable", kind));
      }
    }
    if (item_kind) item.kind = *item_kind;

    if (!code.empty()) {
      item.code = std::string(code);
      if (item_kind) {
        if (auto problem = CheckCode(*item_kind, code)) Error(kCode, *problem);
      }
    }

    std::optional<ItemClass> item_class;
    if (!klass.empty()) {
      std::string c = AsciiLower(klass);
      if (c == "甲" || c == "甲类" || c == "a") {
        item_class = ItemClass::kA;
      } else if (c == "乙" || c == "乙类" || c == "b") {
        item_class = ItemClass::kB;
      } else if (c == "丙" || c == "丙类" || c == "c") {
        item_class = ItemClass::kC;
      } else {
        Error(kClass, fmt::format("'{}' is not a class; use 甲, 乙 or 丙 (or A, B, C)", klass));
      }
    }
    if (item_class) item.item_class = *item_class;

    if (std::string_view s = Get(kSelfpay); !s.empty()) {
      auto r = Ratio::Parse(s);
      if (!r) {
        Error(kSelfpay, fmt::format("'{}' is not a ratio; write 10% or 0.1", s));
      } else if (*r < Ratio::Zero() || Ratio::One() < *r) {
        Error(kSelfpay, fmt::format("{} is outside 0%..100%", r->ToString()));
      } else if (!r->is_zero() && item_class && *item_class != ItemClass::kB) {
        Error(kSelfpay,
              fmt::format("a 先行自付 share ({}) applies only to 乙类 items; {} must be 0 or empty",
                          r->ToString(),
                          *item_class == ItemClass::kA ? "a 甲类 item is wholly in scope, so it"
                                                       : "a 丙类 item is wholly 全自费, so it"));
      } else {
        item.selfpay_prop = *r;
      }
    }

    if (std::string_view s = Get(kPriceCap); !s.empty()) {
      auto p = UnitPrice::Parse(s);
      if (!p) {
        Error(
            kPriceCap,
            fmt::format("'{}' is not a price in yuan (digits, at most 6 decimals, no 元 sign)", s));
      } else if (p->micro_yuan() == 0) {
        Error(kPriceCap,
              "a payment standard of 0 would make the whole price 超限价自付; leave the "
              "field empty for no payment standard");
      } else {
        item.price_cap = *p;
      }
    }

    PaymentRestriction& r = item.restriction;
    if (std::string_view s = Get(kSex); !s.empty()) {
      std::string v = AsciiLower(s);
      if (v == "m" || v == "男" || v == "1") {
        r.sex = Sex::kMale;
      } else if (v == "f" || v == "女" || v == "2") {
        r.sex = Sex::kFemale;
      } else {
        Error(kSex, fmt::format("'{}' is not a sex; use M, F or leave empty", s));
      }
    }

    auto age = [&](Col col) -> int {
      std::string_view s = Get(col);
      if (s.empty()) return -1;
      auto v = ParseSmallInt(s, 0, 150);
      if (!v) {
        Error(col, fmt::format("'{}' is not an age in completed years (0 to 150)", s));
        return -1;
      }
      return *v;
    };
    r.min_age = age(kAgeMin);
    r.max_age = age(kAgeMax);
    if (r.min_age >= 0 && r.max_age >= 0 && r.min_age > r.max_age) {
      Error(kAgeMax, fmt::format("age_max {} is below age_min {}; no one could use the item",
                                 r.max_age, r.min_age));
    }

    if (std::string_view s = Get(kSetting); !s.empty()) {
      std::string v = AsciiLower(s);
      if (v == "inpatient") {
        r.setting = CareSetting::kInpatientOnly;
      } else if (v == "outpatient") {
        r.setting = CareSetting::kOutpatientOnly;
      } else {
        Error(kSetting, fmt::format("'{}' is not a setting; use inpatient, outpatient or leave "
                                    "empty",
                                    s));
      }
    }

    if (std::string_view s = Get(kMinLevel); !s.empty()) {
      auto v = ParseSmallInt(s, 0, 3);
      if (!v) {
        Error(kMinLevel, fmt::format("'{}' is not an institution level; use 1, 2, 3 (or 0 or "
                                     "empty for any level)",
                                     s));
      } else {
        r.min_level = *v;
      }
    }

    r.indications = List(kIndications, [](std::string_view e) -> std::optional<std::string> {
      bool ok = IsUpper(e[0]) && std::all_of(e.begin() + 1, e.end(), [](char c) {
                  return IsUpperAlnum(c) || c == '.' || c == 'x';
                });
      if (ok) return std::nullopt;
      return fmt::format(
          "'{}' is not a diagnosis-code prefix; write upper-case ICD-10 医保版 codes or their "
          "beginnings, e.g. C|D0 or E11",
          e);
    });
    r.insutypes = List(kInsutypes, [](std::string_view e) -> std::optional<std::string> {
      if (e.size() == 3 && std::all_of(e.begin(), e.end(), IsDigit)) return std::nullopt;
      return fmt::format("'{}' is not an insurance type code; use 3 digits such as 310, 390, 510",
                         e);
    });
    r.specialties = List(kSpecialties, [](std::string_view e) -> std::optional<std::string> {
      if (std::all_of(e.begin(), e.end(), [](char c) { return IsAlnum(c) || c == '.'; }))
        return std::nullopt;
      return fmt::format(
          "'{}' is not a department code prefix; use letters, digits and '.', e.g. A21", e);
    });

    r.step_therapy = Flag(kStepTherapy);
    r.needs_approval = Flag(kApproval);

    if (std::string_view s = Get(kMaxQty); !s.empty()) {
      auto q = Quantity::Parse(s);
      if (!q) {
        Error(kMaxQty, fmt::format("'{}' is not a quantity (at most 4 decimals)", s));
      } else if (q->scaled() == 0) {
        Error(kMaxQty,
              "a limit of 0 would make every unit 全自费; leave the field empty for no "
              "limit");
      } else {
        r.max_qty_per_visit = *q;
      }
    }

    if (std::string_view s = Get(kMaxDays); !s.empty()) {
      auto v = ParseSmallInt(s, 1, 366);
      if (!v) {
        Error(kMaxDays, fmt::format("'{}' is not a course length in days (1 to 366)", s));
      } else {
        r.max_days = *v;
      }
    }

    auto date = [&](Col col, Date open) -> std::optional<Date> {
      std::string_view s = Get(col);
      if (s.empty()) return open;
      std::optional<Date> d = s.size() == 10 ? Date::Parse(s) : std::nullopt;
      if (!d) {
        Error(col, fmt::format("'{}' is not a date; write YYYY-MM-DD, e.g. 2025-07-01", s));
      }
      return d;
    };
    auto from = date(kValidFrom, Date::Min());
    auto to = date(kValidTo, Date::Max());
    if (from && to) {
      if (*to < *from) {
        Error(kValidTo,
              fmt::format("valid_to {} is before valid_from {}", to->ToString(), from->ToString()));
      } else {
        item.valid_from = *from;
        item.valid_to = *to;
      }
    }

    if (bad_) return std::nullopt;
    return item;
  }

 private:
  std::string_view Get(Col col) const {
    int i = index_[col];
    if (i < 0 || size_t(i) >= row_->fields.size()) return {};
    return TrimBlanks(row_->fields[size_t(i)]);
  }

  std::string_view Required(Col col) {
    std::string_view s = Get(col);
    if (s.empty()) Error(col, "required value is empty");
    return s;
  }

  bool Flag(Col col) {
    std::string_view s = Get(col);
    if (s.empty()) return false;
    std::string v = AsciiLower(s);
    if (v == "y" || v == "是") return true;
    if (v == "n" || v == "否") return false;
    Error(col, fmt::format("'{}' is not a flag; use Y, N or leave empty", s));
    return false;
  }

  // A '|'-separated list; every entry checked by `check` (which returns a message if bad).
  template <typename Check>
  std::vector<std::string> List(Col col, Check check) {
    std::vector<std::string> out;
    std::string_view s = Get(col);
    if (s.empty()) return out;
    size_t start = 0;
    while (true) {
      size_t bar = s.find('|', start);
      std::string_view e =
          TrimBlanks(s.substr(start, bar == std::string_view::npos ? s.npos : bar - start));
      if (e.empty()) {
        Error(col, fmt::format("empty entry in '{}'; separate entries with a single '|'", s));
        return {};
      }
      if (auto problem = check(e)) {
        Error(col, *problem);
        return {};
      }
      out.emplace_back(e);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    return out;
  }

  void Error(Col col, std::string message) { Error(kColumns[col].name, std::move(message)); }
  void Error(std::string field, std::string message) {
    bad_ = true;
    errors_.Add(row_->line, std::move(field), std::move(message));
  }

  const std::array<int, kColCount>& index_;
  const std::vector<std::string>& header_;
  ErrorSink& errors_;
  const CsvRow* row_ = nullptr;
  bool bad_ = false;
};

std::string DateRange(const CatalogueItem& item) {
  auto end = [](Date d, bool is_from) {
    if (is_from && d == Date::Min()) return std::string("open");
    if (!is_from && d == Date::Max()) return std::string("open");
    return d.ToString();
  };
  return end(item.valid_from, true) + ".." + end(item.valid_to, false);
}

// Versions of one code must not overlap, or Find() on a date would depend on file order.
void CheckOverlaps(const std::vector<CatalogueItem>& items, ErrorSink& errors) {
  std::vector<const CatalogueItem*> sorted;
  sorted.reserve(items.size());
  for (const auto& item : items) sorted.push_back(&item);
  std::sort(sorted.begin(), sorted.end(), [](const CatalogueItem* a, const CatalogueItem* b) {
    if (a->code != b->code) return a->code < b->code;
    if (a->valid_from != b->valid_from) return a->valid_from < b->valid_from;
    return a->source_line < b->source_line;
  });
  // Sorted by start: a version overlaps an earlier one iff it starts on or before the latest end
  // seen so far for its code.
  const CatalogueItem* latest = nullptr;  // the earlier version that ends last
  for (size_t i = 0; i < sorted.size(); ++i) {
    const CatalogueItem* cur = sorted[i];
    if (i == 0 || sorted[i - 1]->code != cur->code) {
      latest = cur;
      continue;
    }
    if (cur->valid_from <= latest->valid_to) {
      errors.Add(cur->source_line, "valid_from",
                 fmt::format("code {} is valid {} here and {} on line {}; versions of one code "
                             "must not overlap (end the old version the day before the new one "
                             "starts)",
                             cur->code, DateRange(*cur), DateRange(*latest), latest->source_line));
    }
    if (latest->valid_to < cur->valid_to) latest = cur;
  }
}

}  // namespace

Result<Catalogue> ParseCatalogueCsv(std::string_view text, std::string_view file_name,
                                    std::string admdvs) {
  ErrorSink errors(file_name);
  if (admdvs.size() != 6 || !std::all_of(admdvs.begin(), admdvs.end(), IsDigit)) {
    errors.Add(0, "admdvs",
               fmt::format("'{}' is not a region code; use the 6-digit GB/T 2260 code", admdvs));
    return errors.Take();
  }

  CsvReader reader(text);
  CsvRow row;
  if (!reader.Next(row)) {
    errors.Add(1, "",
               "no header row; the first line that is not a comment must name the columns, e.g. "
               "code,name,kind,class");
    return errors.Take();
  }
  if (!row.error.empty()) {
    errors.Add(row.line, fmt::format("column {}", row.error_field + 1), row.error);
    return errors.Take();
  }

  // Header: columns in any order, by name. Unknown names are errors, not ignored: a misspelt
  // optional column would otherwise silently drop a restriction and pay for what it should not.
  const int header_line = row.line;
  std::vector<std::string> header;
  std::array<int, kColCount> index;
  index.fill(-1);
  for (size_t i = 0; i < row.fields.size(); ++i) {
    std::string name = AsciiLower(TrimBlanks(row.fields[i]));
    header.push_back(name);
    const std::string position = fmt::format("column {}", i + 1);
    if (name.empty()) {
      errors.Add(header_line, position, "the header has no name for this column");
      continue;
    }
    auto it = std::find_if(kColumns.begin(), kColumns.end(),
                           [&](const ColumnSpec& c) { return name == c.name; });
    if (it == kColumns.end()) {
      std::string hint;
      size_t best = 3;
      for (const auto& c : kColumns) {
        size_t d = EditDistance(name, c.name);
        if (d < best) {
          best = d;
          hint = fmt::format(" (did you mean '{}'?)", c.name);
        }
      }
      if (!IsValidUtf8(name)) name = "?";
      errors.Add(
          header_line, name,
          fmt::format("unknown column '{}'{}; the columns are {}", name, hint, AllColumnNames()));
      continue;
    }
    int col = int(it - kColumns.begin());
    if (index[col] >= 0) {
      errors.Add(header_line, name,
                 fmt::format("column '{}' appears twice in the header (columns {} and {})", name,
                             index[col] + 1, i + 1));
      continue;
    }
    index[col] = int(i);
  }
  for (int col = 0; col < kColCount; ++col) {
    if (kColumns[col].required && index[col] < 0) {
      errors.Add(header_line, kColumns[col].name,
                 fmt::format("required column '{}' is missing from the header (required: "
                             "code,name,kind,class)",
                             kColumns[col].name));
    }
  }
  // Without a sound header no row can be read reliably; a cascade of row errors would only hide
  // the one mistake to fix.
  if (!errors.empty()) return errors.Take();

  auto column_name = [&](size_t i) {
    return i < header.size() ? header[i] : fmt::format("column {}", i + 1);
  };

  std::vector<CatalogueItem> items;
  RowParser parser(index, header, errors);
  while (reader.Next(row)) {
    if (!row.error.empty()) {
      errors.Add(row.line, row.error_field >= 0 ? column_name(size_t(row.error_field)) : "",
                 row.error);
      continue;
    }
    // Spreadsheets leave rows of bare commas behind; they carry nothing and are not mistakes.
    if (std::all_of(row.fields.begin(), row.fields.end(),
                    [](const std::string& f) { return TrimBlanks(f).empty(); }))
      continue;
    if (row.fields.size() != header.size()) {
      const bool fewer = row.fields.size() < header.size();
      errors.Add(
          row.line, column_name(fewer ? row.fields.size() : header.size()),
          fmt::format("the row has {} fields but the header has {} columns{}", row.fields.size(),
                      header.size(),
                      fewer ? "" : " (a value containing a comma must be in double quotes)"));
      continue;
    }
    if (auto item = parser.Parse(row)) items.push_back(std::move(*item));
  }

  CheckOverlaps(items, errors);
  if (!errors.empty()) return errors.Take();
  return Catalogue(std::move(admdvs), std::move(items));
}

Result<Catalogue> LoadCatalogueCsv(const std::string& path, std::string admdvs) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Diagnostic{path, 0, "",
                      fmt::format("cannot open the catalogue: {}", std::strerror(errno))};
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return Diagnostic{path, 0, "", "cannot read the catalogue"};
  }
  return ParseCatalogueCsv(buf.str(), path, std::move(admdvs));
}

}  // namespace yibao
