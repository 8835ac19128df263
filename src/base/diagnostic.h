// Errors as values. A Diagnostic names where bad input is (file, line, field) and what is wrong,
// so that a bureau clerk editing a policy file or a HIS vendor sending a visit can fix it at once.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace yibao {

struct Diagnostic {
  std::string file;   // empty for in-memory input (e.g. an HTTP body)
  int line = 0;       // 1-based; 0 when unknown
  std::string field;  // e.g. "inpatient.basic.bands[2].ratio" or "fee_details[3].cnt"
  std::string message;

  // "policies/resident.toml:42: inpatient.basic.bands[2].ratio: ratio above 100%"
  std::string ToString() const;
};

// Several problems at once: a validator reports all it finds, not just the first.
using Diagnostics = std::vector<Diagnostic>;
std::string FormatDiagnostics(const Diagnostics& ds);

// A value or the diagnostics that explain why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                // NOLINT: implicit by design
  Result(Diagnostic d) : v_(Diagnostics{std::move(d)}) {}  // NOLINT
  Result(Diagnostics ds) : v_(std::move(ds)) {}            // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Diagnostics& errors() const { return std::get<1>(v_); }

 private:
  std::variant<T, Diagnostics> v_;
};

}  // namespace yibao
