#include "base/diagnostic.h"

namespace yibao {

std::string Diagnostic::ToString() const {
  std::string s;
  if (!file.empty()) {
    s += file;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": ";
  } else if (line > 0) {
    s += "line " + std::to_string(line) + ": ";
  }
  if (!field.empty()) s += field + ": ";
  s += message;
  return s;
}

std::string FormatDiagnostics(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) {
    if (!s.empty()) s += '\n';
    s += d.ToString();
  }
  return s;
}

}  // namespace yibao
