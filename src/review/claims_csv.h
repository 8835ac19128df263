// A fast reader for the large claims files (visits.csv, fee_lines.csv: millions of rows). It keeps
// CsvReader's semantics (base/csv_reader.h: RFC 4180 quoting, a BOM, LF/CRLF/CR, '#' comment and
// blank lines between records, spaces around quoted fields) but yields string_views into the text,
// copying only fields with doubled quotes, so a row costs no allocation. Columns are found by
// name; an unknown, repeated or missing column is an error naming file, line and column.
//
// Internal to src/review.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace yibao {

class ClaimsCsv {
 public:
  // `text` must outlive the reader; `errors` collects at most kMaxDiagnosticsPerFile diagnostics.
  ClaimsCsv(std::string_view file, std::string_view text, Diagnostics& errors);

  // Reads the header. `columns` are the known names; a column's index in `columns` is what Get
  // takes. Returns false (with diagnostics) when the header is unusable.
  bool Open(const std::vector<std::string_view>& columns,
            const std::vector<std::string_view>& required);

  // The next well-formed record of the right width; malformed ones are reported and skipped.
  bool Next();

  // The current record's value of known column `c` ("" when the file lacks the column).
  std::string_view Get(int c) const {
    int i = index_[size_t(c)];
    return i < 0 ? std::string_view() : fields_[size_t(i)];
  }
  bool Has(int c) const { return index_[size_t(c)] >= 0; }
  int line() const { return line_; }
  const std::string& file() const { return file_; }

  // An error on the current record in known column `c`.
  void Error(int c, std::string message);
  void ErrorAt(int line, std::string column, std::string message);
  size_t error_count() const { return count_; }

 private:
  // Splits the next record; false at the end. A malformed record sets error_.
  bool Split();
  bool AtEnd() const { return pos_ >= text_.size(); }
  bool ConsumeLineBreak();
  void SkipToNextLine();
  bool SkipBlankAndComments();

  std::string file_;
  std::string_view text_;
  Diagnostics& errors_;
  size_t pos_ = 0;
  int next_line_ = 1;
  int line_ = 0;
  std::vector<std::string_view> fields_;
  // Storage for fields that had doubled quotes; a deque, so that growing it never moves the
  // strings that earlier fields of the record point into.
  std::deque<std::string> unescaped_;
  std::string error_;
  int error_field_ = -1;
  std::vector<std::string> header_;
  std::vector<std::string_view> names_;  // known columns
  std::vector<int> index_;               // known column → field index, -1 absent
  size_t count_ = 0;
};

// Splits a list cell ("a;b;c") into its trimmed, non-empty values.
template <typename F>
void ForEachListValue(std::string_view cell, F&& f) {
  size_t start = 0;
  while (start <= cell.size()) {
    size_t end = cell.find(';', start);
    if (end == std::string_view::npos) end = cell.size();
    std::string_view v = cell.substr(start, end - start);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (!v.empty()) f(v);
    start = end + 1;
  }
}

}  // namespace yibao
