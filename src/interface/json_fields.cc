#include "interface/json_fields.h"

#include <charconv>

namespace yibao {

namespace od = simdjson::ondemand;

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

size_t Utf8CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string QuoteForMessage(std::string_view s, size_t max_chars) {
  size_t chars = 0, end = 0;
  while (end < s.size()) {
    if ((static_cast<unsigned char>(s[end]) & 0xC0) != 0x80) {
      if (chars == max_chars) break;
      ++chars;
    }
    ++end;
  }
  std::string out = "\"";
  out.append(s.substr(0, end));
  if (end < s.size()) out += "…";
  out += '"';
  return out;
}

bool JsonFieldReader::Fail(std::string field, std::string message) {
  if (!error) error = Diagnostic{"", 0, std::move(field), std::move(message)};
  return false;
}

const char* JsonFieldReader::ScalarText(od::value v, std::string_view& out) {
  od::json_type t;
  if (v.type().get(t)) return "malformed JSON";
  if (t == od::json_type::string) {
    if (v.get_string().get(out)) return "malformed string";
    return nullptr;
  }
  if (t == od::json_type::number) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
      raw.remove_suffix(1);
    // On-demand classifies a token by its first byte only: "12abc" would pass as a number.
    if (!IsJsonNumber(raw)) return "malformed number";
    out = raw;
    return nullptr;
  }
  if (t == od::json_type::null) {
    bool is_null = false;  // likewise "nul" or "nope" must not pass as null
    if (v.is_null().get(is_null) || !is_null) return "malformed JSON";
    out = "";
    return nullptr;
  }
  return "expected a string or a number";
}

bool JsonFieldReader::Scalar(od::value v, const std::string& field, std::string_view& out) {
  if (const char* problem = ScalarText(v, out)) return Fail(field, problem);
  return true;
}

bool JsonFieldReader::String(od::value v, const std::string& field, std::string& out,
                             size_t max_len) {
  std::string_view s;
  if (!Scalar(v, field, s)) return false;
  if (s.size() > max_len)
    return Fail(field, "longer than " + std::to_string(max_len) + " characters");
  out.assign(s);
  return true;
}

bool JsonFieldReader::MoneyField(od::value v, const std::string& field, Money& out) {
  std::string_view s;
  if (!Scalar(v, field, s)) return false;
  auto m = Money::ParseYuan(s);
  if (!m)
    return Fail(field, "not an amount in yuan with at most 2 decimals: " + QuoteForMessage(s));
  if (m->is_negative()) return Fail(field, "negative amount");
  out = *m;
  return true;
}

bool JsonFieldReader::DateField(od::value v, const std::string& field, Date& out) {
  std::string_view s;
  if (!Scalar(v, field, s)) return false;
  auto d = Date::Parse(s);
  if (!d)
    return Fail(field, "expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got " + QuoteForMessage(s));
  out = *d;
  return true;
}

bool JsonFieldReader::Flag(od::value v, const std::string& field, bool& out) {
  od::json_type t;
  if (v.type().get(t)) return Fail(field, "malformed JSON");
  if (t == od::json_type::boolean) {
    if (v.get_bool().get(out)) return Fail(field, "malformed boolean");
    return true;
  }
  std::string_view s;
  if (!Scalar(v, field, s)) return false;
  if (s == "1")
    out = true;
  else if (s == "0" || s.empty())
    out = false;
  else
    return Fail(field, "expected \"1\" or \"0\"");
  return true;
}

bool JsonFieldReader::Int(od::value v, const std::string& field, int& out, int lo, int hi) {
  std::string_view s;
  if (!Scalar(v, field, s)) return false;
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n < lo || n > hi)
    return Fail(field, "expected an integer " + std::to_string(lo) + ".." + std::to_string(hi));
  out = n;
  return true;
}

}  // namespace yibao
