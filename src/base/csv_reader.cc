#include "base/csv_reader.h"

namespace yibao {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  // Excel's "CSV UTF-8" and Windows Notepad write a BOM; it is not part of the first header name.
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::ConsumeLineBreak() {
  if (AtEnd()) return false;
  if (text_[pos_] == '\r') {
    ++pos_;
    if (!AtEnd() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
  if (text_[pos_] == '\n') {
    ++pos_;
    ++line_;
    return true;
  }
  return false;
}

void CsvReader::SkipToNextLine() {
  while (!AtEnd() && !IsLineEnd(text_[pos_])) ++pos_;
  ConsumeLineBreak();
}

bool CsvReader::SkipBlankAndComments() {
  while (!AtEnd()) {
    size_t j = pos_;
    while (j < text_.size() && IsBlank(text_[j])) ++j;
    if (j == text_.size()) {  // trailing whitespace without a line break
      pos_ = j;
      return false;
    }
    if (IsLineEnd(text_[j])) {
      pos_ = j;
      ConsumeLineBreak();
      continue;
    }
    if (text_[pos_] == '#') {  // only a '#' in the very first column starts a comment
      SkipToNextLine();
      continue;
    }
    return true;
  }
  return false;
}

bool CsvReader::Next(CsvRow& row) {
  row.fields.clear();
  row.error.clear();
  row.error_field = -1;
  if (!SkipBlankAndComments()) return false;
  row.line = line_;

  auto fail = [&](std::string message) {
    row.error = std::move(message);
    row.error_field = int(row.fields.size());
    SkipToNextLine();
    return true;
  };

  while (true) {
    std::string field;
    size_t j = pos_;
    while (j < text_.size() && IsBlank(text_[j])) ++j;
    if (j < text_.size() && text_[j] == '"') {
      // Quoted field: runs to the next lone quote; "" is a literal quote; may span lines.
      const int start_line = line_;
      pos_ = j + 1;
      while (true) {
        size_t q = text_.find('"', pos_);
        if (q == std::string_view::npos) {
          row.error =
              "unterminated quote: the quoted field that starts on this line is never closed "
              "(add the closing '\"', and write a quote inside a field as \"\")";
          row.error_field = int(row.fields.size());
          row.line = start_line;
          pos_ = text_.size();
          return true;
        }
        std::string_view chunk = text_.substr(pos_, q - pos_);
        for (size_t k = 0; k < chunk.size(); ++k) {
          // Keep line numbers right for the records that follow a multi-line field.
          if (chunk[k] == '\n' ||
              (chunk[k] == '\r' && (k + 1 == chunk.size() || chunk[k + 1] != '\n')))
            ++line_;
        }
        field.append(chunk);
        pos_ = q + 1;
        if (!AtEnd() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      while (!AtEnd() && IsBlank(text_[pos_])) ++pos_;
      if (!AtEnd() && text_[pos_] != ',' && !IsLineEnd(text_[pos_])) {
        return fail(
            "text after the closing quote of a quoted field (a quote inside a field must be "
            "written as \"\")");
      }
    } else {
      size_t start = pos_;
      while (!AtEnd() && text_[pos_] != ',' && !IsLineEnd(text_[pos_])) {
        if (text_[pos_] == '"') {
          return fail(
              "a double quote inside an unquoted field (quote the whole field and write the "
              "quote as \"\")");
        }
        ++pos_;
      }
      field.assign(text_.substr(start, pos_ - start));
    }
    row.fields.push_back(std::move(field));
    if (AtEnd()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    ConsumeLineBreak();
    return true;
  }
}

void AppendCsvField(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace yibao
