// A small RFC-4180 CSV record reader for the data files that bureaus edit by hand (catalogues,
// institutions). It knows nothing about columns: it yields records with the line they start on, so
// that loaders can point a clerk at the exact line and column of a mistake.
//
// Accepted beyond strict RFC 4180, because spreadsheets and editors produce it: a UTF-8 byte-order
// mark at the start; LF, CRLF or lone CR line ends; spaces or tabs around a quoted field. Lines
// whose first character is '#' are comments and blank (or whitespace-only) lines are skipped, both
// only between records (inside a quoted field they are content).
//
// Thread safety: one reader per thread; it only reads the text it was given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yibao {

struct CsvRow {
  int line = 0;  // 1-based physical line on which the record starts
  std::vector<std::string> fields;
  // Non-empty when the record is malformed (then `fields` is incomplete and should not be used).
  std::string error;
  int error_field = -1;  // 0-based index of the field where the problem is; -1 when unknown
};

class CsvReader {
 public:
  // `text` must outlive the reader. A leading UTF-8 BOM is skipped.
  explicit CsvReader(std::string_view text);

  // Reads the next record into `row`; false at the end of the input. A malformed record is still
  // returned (with `row.error` set) and reading resumes on the next line, so that a loader can
  // report every bad line in one pass. An unterminated quote consumes the rest of the input: its
  // error names the line where the quoted field began, which is where the clerk must look.
  bool Next(CsvRow& row);

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  // Consumes a line break at pos_ if there is one ("\r\n", "\n" or "\r").
  bool ConsumeLineBreak();
  void SkipToNextLine();
  // Skips blank and comment lines; false if the input ends first.
  bool SkipBlankAndComments();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

// Appends `s` as one CSV field: as is, or quoted with inner quotes doubled (RFC 4180) when it
// holds a comma, a quote or a line break — what CsvReader reads back unchanged.
void AppendCsvField(std::string& out, std::string_view s);

}  // namespace yibao
