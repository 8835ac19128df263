// Reading the fields of a HIS's JSON at the edge (simdjson on-demand), shared by the visit parser
// (visit_json.cc) and the transaction inputs (transaction_input.cc). Internal to src/interface.
//
// Conventions: a scalar is a JSON string's content or a number's raw token (never converted to a
// double), null is absent (""), and the first error is kept with its field path; parsing stops
// there because later fields may be misread after it.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/date.h"
#include "base/diagnostic.h"
#include "base/money.h"

namespace yibao {

// Number of characters (UTF-8 code points) of valid UTF-8 text.
size_t Utf8CodePoints(std::string_view s);

// `s` in double quotes for an error message, cut to at most `max_chars` characters (never inside
// a UTF-8 sequence, so that the message stays valid UTF-8 in a JSON reply) with "…" when cut.
std::string QuoteForMessage(std::string_view s, size_t max_chars = 40);

// Keeps the first error; the typed readers below report into it and return false on error.
class JsonFieldReader {
 public:
  std::optional<Diagnostic> error;

  bool Fail(std::string field, std::string message);

  // The text of a scalar: a JSON string's content, a number's raw token, or "" for null.
  // Objects, arrays and booleans are an error ("expected a string or a number").
  bool Scalar(simdjson::ondemand::value v, const std::string& field, std::string_view& out);

  // Scalar without the path: returns what is wrong (nullptr when nothing is), so that a caller can
  // build the field's path only when there is an error.
  static const char* ScalarText(simdjson::ondemand::value v, std::string_view& out);

  // A scalar of at most `max_len` bytes.
  bool String(simdjson::ondemand::value v, const std::string& field, std::string& out,
              size_t max_len = 200);

  // Yuan with at most 2 decimals, not negative (Money::ParseYuan).
  bool MoneyField(simdjson::ondemand::value v, const std::string& field, Money& out);

  // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (Date::Parse).
  bool DateField(simdjson::ondemand::value v, const std::string& field, Date& out);

  // true / false, "1" / "0" / "" (or null).
  bool Flag(simdjson::ondemand::value v, const std::string& field, bool& out);

  // A decimal integer in [lo, hi].
  bool Int(simdjson::ondemand::value v, const std::string& field, int& out, int lo, int hi);
};

}  // namespace yibao
