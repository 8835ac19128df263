#include "codes/code_format.h"

namespace yibao {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsUpperOrDigit(char c) { return IsDigit(c) || IsUpper(c); }

// A read position in a code. Each Take* consumes only on success, so alternatives can be tried.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ == s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  bool TakeUpper() {
    if (i_ >= s_.size() || !IsUpper(s_[i_])) return false;
    ++i_;
    return true;
  }
  // Up to `max` digits; returns how many were taken.
  size_t TakeDigits(size_t max) {
    size_t n = 0;
    while (n < max && i_ < s_.size() && IsDigit(s_[i_])) ++i_, ++n;
    return n;
  }
  bool TakeExactDigits(size_t n) {
    size_t start = i_;
    if (TakeDigits(n) == n) return true;
    i_ = start;
    return false;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool AllUpperOrDigit(std::string_view s) {
  for (char c : s)
    if (!IsUpperOrDigit(c)) return false;
  return true;
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (!IsDigit(c)) return false;
  return true;
}

}  // namespace

const char* CodeKindName(CodeKind kind) {
  switch (kind) {
    case CodeKind::kDiagnosis:
      return "diagnosis";
    case CodeKind::kProcedure:
      return "procedure";
    case CodeKind::kDrug:
      return "drug";
    case CodeKind::kConsumable:
      return "consumable";
    case CodeKind::kServiceItem:
      return "service item";
    case CodeKind::kInstitution:
      return "institution";
    case CodeKind::kAdmdvs:
      return "admdvs";
  }
  return "unknown";
}

std::optional<std::string> CheckDiagnosisCode(std::string_view code) {
  if (code.empty()) return "diagnosis code is empty";
  Cursor c(code);
  if (!c.TakeUpper()) return "diagnosis code must start with an uppercase letter";
  if (!c.TakeExactDigits(2)) return "diagnosis code must start with a letter and two digits (K80)";
  if (c.Take('.')) {
    // Subcategory: 1-3 digits, or 'x' standing for "no subdivision" then 2 digits (A35.x00).
    bool subcategory = c.Take('x') ? c.TakeExactDigits(2) : c.TakeDigits(3) > 0;
    if (!subcategory)
      return "after the point a diagnosis code needs 1-3 digits or 'x' and 2 digits";
    if (c.Take('x') && !c.TakeExactDigits(3)) {
      return "diagnosis code extension after 'x' must be 3 digits (A00.100x001)";
    }
  }
  if (c.Take('+')) {
    // The asterisk (manifestation) code of a dagger-asterisk pair: a category, optionally one
    // digit.
    bool asterisk = c.TakeUpper() && c.TakeExactDigits(2) &&
                    (!c.Take('.') || c.TakeExactDigits(1)) && c.Take('*');
    if (!asterisk) return "asterisk code after '+' must look like G01* or J17.0*";
  }
  if (!c.AtEnd()) return "diagnosis code must look like K80.101 or A00.100x001";
  return std::nullopt;
}

std::optional<std::string> CheckProcedureCode(std::string_view code) {
  if (code.empty()) return "procedure code is empty";
  Cursor c(code);
  if (!c.TakeExactDigits(2) || !c.Take('.')) {
    return "procedure code must start with two digits and a point (51.23)";
  }
  if (!c.TakeExactDigits(1)) return "procedure code needs a digit after the point";
  bool body;
  if (c.Take('x')) {
    body = c.TakeExactDigits(2);  // 01.6x00: no subdivision
  } else {
    size_t digits = 1 + c.TakeDigits(4);
    body = digits >= 2;
    // 17.912A0: the 17.9 TCM extension may put a letter in the fourth place of its five.
    if (digits == 3 && c.TakeUpper()) body = c.TakeExactDigits(1);
  }
  if (!body) return "after the point a procedure code needs 2-5 digits (51.2300) or 'x' (01.6x00)";
  if (c.Take('x')) {
    size_t n = c.TakeDigits(4);
    if (n < 3) return "procedure code extension after 'x' must be 3 digits (00.0200x001)";
  }
  if (!c.AtEnd()) return "procedure code must look like 51.2300 or 00.0200x001";
  return std::nullopt;
}

std::optional<std::string> CheckDrugCode(std::string_view code) {
  if ((code.size() != 20 && code.size() != 23) || (code[0] != 'X' && code[0] != 'Z')) {
    return "drug code must be 20 or 23 characters starting with X or Z";
  }
  if (!AllUpperOrDigit(code)) return "drug code may hold only uppercase letters and digits";
  return std::nullopt;
}

std::optional<std::string> CheckConsumableCode(std::string_view code) {
  if (code.size() != 20 || code[0] != 'C') return "consumable code must be C and 19 characters";
  if (!AllUpperOrDigit(code)) return "consumable code may hold only uppercase letters and digits";
  return std::nullopt;
}

std::optional<std::string> CheckServiceItemCode(std::string_view code) {
  if (code.size() < 9 || code.size() > 20) return "service item code must be 9 to 20 characters";
  if (!IsDigit(code[0])) return "service item code must start with a digit";
  if (!AllUpperOrDigit(code)) return "service item code may hold only digits and uppercase letters";
  return std::nullopt;
}

std::optional<std::string> CheckInstitutionCode(std::string_view code) {
  if (code.size() != 12 || (code[0] != 'H' && code[0] != 'P') || !AllDigits(code.substr(1))) {
    return "institution code must be H or P and 11 digits";
  }
  return std::nullopt;
}

std::optional<std::string> CheckAdmdvs(std::string_view code) {
  if (code.size() != 6 || !AllDigits(code)) return "admdvs must be 6 digits";
  return std::nullopt;
}

std::optional<std::string> CheckCode(CodeKind kind, std::string_view code) {
  switch (kind) {
    case CodeKind::kDiagnosis:
      return CheckDiagnosisCode(code);
    case CodeKind::kProcedure:
      return CheckProcedureCode(code);
    case CodeKind::kDrug:
      return CheckDrugCode(code);
    case CodeKind::kConsumable:
      return CheckConsumableCode(code);
    case CodeKind::kServiceItem:
      return CheckServiceItemCode(code);
    case CodeKind::kInstitution:
      return CheckInstitutionCode(code);
    case CodeKind::kAdmdvs:
      return CheckAdmdvs(code);
  }
  return "unknown code kind";
}

}  // namespace yibao
