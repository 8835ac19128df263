#include "review/claims_csv.h"

#include "base/text.h"

namespace yibao {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

ClaimsCsv::ClaimsCsv(std::string_view file, std::string_view text, Diagnostics& errors)
    : file_(file), text_(text), errors_(errors) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool ClaimsCsv::ConsumeLineBreak() {
  if (AtEnd()) return false;
  if (text_[pos_] == '\r') {
    ++pos_;
    if (!AtEnd() && text_[pos_] == '\n') ++pos_;
    ++next_line_;
    return true;
  }
  if (text_[pos_] == '\n') {
    ++pos_;
    ++next_line_;
    return true;
  }
  return false;
}

void ClaimsCsv::SkipToNextLine() {
  while (!AtEnd() && !IsLineEnd(text_[pos_])) ++pos_;
  ConsumeLineBreak();
}

bool ClaimsCsv::SkipBlankAndComments() {
  while (!AtEnd()) {
    size_t j = pos_;
    while (j < text_.size() && IsBlank(text_[j])) ++j;
    if (j == text_.size()) {
      pos_ = j;
      return false;
    }
    if (IsLineEnd(text_[j])) {
      pos_ = j;
      ConsumeLineBreak();
      continue;
    }
    if (text_[pos_] == '#') {
      SkipToNextLine();
      continue;
    }
    return true;
  }
  return false;
}

bool ClaimsCsv::Split() {
  fields_.clear();
  error_.clear();
  error_field_ = -1;
  if (!SkipBlankAndComments()) return false;
  line_ = next_line_;
  size_t unescaped_used = 0;
  auto fail = [&](std::string message) {
    error_ = std::move(message);
    error_field_ = int(fields_.size());
    SkipToNextLine();
    return true;
  };
  while (true) {
    size_t j = pos_;
    while (j < text_.size() && IsBlank(text_[j])) ++j;
    if (j < text_.size() && text_[j] == '"') {
      const int start_line = next_line_;
      pos_ = j + 1;
      size_t begin = pos_;
      std::string* copy = nullptr;  // only when the field holds a doubled quote
      std::string_view value;
      while (true) {
        size_t q = text_.find('"', pos_);
        if (q == std::string_view::npos) {
          error_ =
              "unterminated quote: the quoted field that starts on this line is never closed "
              "(add the closing '\"', and write a quote inside a field as \"\")";
          error_field_ = int(fields_.size());
          line_ = start_line;
          pos_ = text_.size();
          return true;
        }
        std::string_view chunk = text_.substr(pos_, q - pos_);
        for (size_t k = 0; k < chunk.size(); ++k)
          if (chunk[k] == '\n' ||
              (chunk[k] == '\r' && (k + 1 == chunk.size() || chunk[k + 1] != '\n')))
            ++next_line_;
        if (q + 1 < text_.size() && text_[q + 1] == '"') {  // a doubled quote: copy
          if (!copy) {
            if (unescaped_used == unescaped_.size()) unescaped_.emplace_back();
            copy = &unescaped_[unescaped_used++];
            copy->assign(text_.substr(begin, q - begin));
          } else {
            copy->append(chunk);
          }
          copy->push_back('"');
          pos_ = q + 2;
          continue;
        }
        if (copy) {
          copy->append(chunk);
          value = *copy;
        } else {
          value = text_.substr(begin, q - begin);
        }
        pos_ = q + 1;
        break;
      }
      while (!AtEnd() && IsBlank(text_[pos_])) ++pos_;
      if (!AtEnd() && text_[pos_] != ',' && !IsLineEnd(text_[pos_]))
        return fail(
            "text after the closing quote of a quoted field (a quote inside a field must be "
            "written as \"\")");
      fields_.push_back(value);
    } else {
      size_t start = pos_;
      while (!AtEnd()) {
        char c = text_[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"')
          return fail(
              "a double quote inside an unquoted field (quote the whole field and write the "
              "quote as \"\")");
        ++pos_;
      }
      fields_.push_back(text_.substr(start, pos_ - start));
    }
    if (AtEnd()) return true;
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    ConsumeLineBreak();
    return true;
  }
}

bool ClaimsCsv::Open(const std::vector<std::string_view>& columns,
                     const std::vector<std::string_view>& required) {
  names_ = columns;
  index_.assign(columns.size(), -1);
  if (!Split()) {
    ErrorAt(0, "", "no header row");
    return false;
  }
  if (!error_.empty()) {
    ErrorAt(line_, "", error_);
    return false;
  }
  size_t before = count_;
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string name(Trim(fields_[i]));
    header_.push_back(name);
    size_t k = 0;
    while (k < names_.size() && names_[k] != name) ++k;
    if (k == names_.size()) {
      std::string all;
      for (std::string_view n : names_) all += (all.empty() ? "" : ",") + std::string(n);
      ErrorAt(line_, name, "unknown column; the columns are " + all);
    } else if (index_[k] >= 0) {
      ErrorAt(line_, name, "column given twice");
    } else {
      index_[k] = int(i);
    }
  }
  for (std::string_view r : required) {
    size_t k = 0;
    while (k < names_.size() && names_[k] != r) ++k;
    if (k == names_.size() || index_[k] < 0) ErrorAt(line_, std::string(r), "missing column");
  }
  return count_ == before;
}

bool ClaimsCsv::Next() {
  while (Split()) {
    if (!error_.empty()) {
      std::string column;
      if (error_field_ >= 0 && size_t(error_field_) < header_.size())
        column = header_[size_t(error_field_)];
      ErrorAt(line_, column, error_);
      continue;
    }
    if (fields_.size() != header_.size()) {
      // A line of nothing but commas is what spreadsheets leave behind: skip it.
      bool empty = true;
      for (std::string_view f : fields_) empty = empty && Trim(f).empty();
      if (empty) continue;
      ErrorAt(line_, "",
              "expected " + std::to_string(header_.size()) + " fields, got " +
                  std::to_string(fields_.size()) +
                  " (a value containing a comma must be in double quotes)");
      continue;
    }
    for (std::string_view& f : fields_) f = Trim(f);
    return true;
  }
  return false;
}

void ClaimsCsv::Error(int c, std::string message) {
  ErrorAt(line_, std::string(names_[size_t(c)]), std::move(message));
}

void ClaimsCsv::ErrorAt(int line, std::string column, std::string message) {
  if (count_++ == kMaxDiagnosticsPerFile) {
    errors_.push_back(Diagnostic{file_, line, "", "too many errors; stopped reporting"});
    return;
  }
  if (count_ > kMaxDiagnosticsPerFile) return;
  errors_.push_back(Diagnostic{file_, line, std::move(column), std::move(message)});
}

}  // namespace yibao
