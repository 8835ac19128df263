// Plumbing shared by the reference-table parsers: reading a whole file, walking its numbered lines,
// checking UTF-8 and splitting a CSV record. Only ReadTextFile touches the file system, so that the
// parsers stay pure functions of their text (and the fuzz target can feed them arbitrary bytes).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace yibao {

// A file's text with the name that diagnostics should show for it.
struct NamedText {
  std::string_view file_name;
  std::string_view text;
};

// The whole file as bytes. The error names the path, so a missing table is found at once.
Result<std::string> ReadTextFile(const std::string& path);

// Walks the lines of a text with their 1-based numbers. Accepts "\n" and "\r\n" endings, a last
// line without a newline, and drops a leading UTF-8 byte-order mark, since tables edited on Windows
// (Excel, Notepad) arrive in both shapes.
class LineReader {
 public:
  explicit LineReader(std::string_view text);
  // The next line without its ending; false at the end of the text.
  bool Next(std::string_view& line);
  int line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  int line_number_ = 0;
};

// Leading and trailing spaces, tabs, CR and LF removed.
std::string_view Trim(std::string_view s);

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). A table
// saved as GBK by mistake fails here instead of putting mojibake in every trace.
bool IsValidUtf8(std::string_view s);

// Stops a parser from producing megabytes of diagnostics for a file that is not a table at all (a
// binary, the wrong file): the first errors explain the problem; the rest are noise.
inline constexpr size_t kMaxDiagnosticsPerFile = 50;

}  // namespace yibao
