#include "server/envelope.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <optional>

#include "interface/bill_json.h"

namespace yibao {
namespace {

namespace od = simdjson::ondemand;

struct FieldSpec {
  std::string_view name;
  std::string Envelope::*member;
  size_t max_chars;
  bool required;
};

// Lengths follow the national interface specification, with room where vendors are known to send
// more (opter, inf_time).
constexpr std::array<FieldSpec, 18> kFields = {{
    {"infno", &Envelope::infno, 4, true},
    {"msgid", &Envelope::msgid, 30, true},
    {"mdtrtarea_admvs", &Envelope::mdtrtarea_admvs, 6, false},
    {"insuplc_admdvs", &Envelope::insuplc_admdvs, 6, false},
    {"recer_sys_code", &Envelope::recer_sys_code, 10, false},
    {"dev_no", &Envelope::dev_no, 100, false},
    {"dev_safe_info", &Envelope::dev_safe_info, 2000, false},
    {"cainfo", &Envelope::cainfo, 4096, false},
    {"signtype", &Envelope::signtype, 10, false},
    {"sign", &Envelope::sign, 200, false},
    {"infver", &Envelope::infver, 6, false},
    {"opter_type", &Envelope::opter_type, 3, false},
    {"opter", &Envelope::opter, 50, false},
    {"opter_name", &Envelope::opter_name, 50, false},
    {"inf_time", &Envelope::inf_time, 30, false},
    {"fixmedins_code", &Envelope::fixmedins_code, 30, true},
    {"fixmedins_name", &Envelope::fixmedins_name, 200, false},
    {"sign_no", &Envelope::sign_no, 30, false},
}};

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Diagnostic Error(std::string_view field, std::string message) {
  return Diagnostic{"", 0, std::string(field), std::move(message)};
}

// The text of a scalar: a string's content, a number's token, or empty for null.
std::optional<Diagnostic> Scalar(od::value v, std::string_view field, std::string_view& out) {
  od::json_type t;
  if (v.type().get(t)) return Error(field, "malformed JSON");
  switch (t) {
    case od::json_type::string:
      if (v.get_string().get(out)) return Error(field, "malformed string");
      return std::nullopt;
    case od::json_type::number: {
      std::string_view raw = v.raw_json_token();
      while (!raw.empty() &&
             (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
        raw.remove_suffix(1);
      out = raw;
      return std::nullopt;
    }
    case od::json_type::null:
      out = {};
      return std::nullopt;
    default:
      return Error(field, "expected a string");
  }
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Envelope> ParseEnvelope(std::string_view body) {
  if (body.size() > kMaxEnvelopeBytes)
    return Error("", "request body larger than " + std::to_string(kMaxEnvelopeBytes) + " bytes");
  // One parser and one padded buffer per thread: no allocation once they have grown.
  thread_local od::parser parser;
  thread_local std::string buffer;
  buffer.resize(body.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buffer.data(), body.data(), body.size());
  std::memset(buffer.data() + body.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  if (parser.iterate(buffer.data(), body.size(), buffer.size()).get(doc))
    return Error("", "malformed JSON");
  od::object root;
  if (auto e = doc.get_object().get(root))
    return Error("", e == simdjson::INCORRECT_TYPE ? "expected a JSON object" : "malformed JSON");

  Envelope env;
  uint32_t seen = 0;  // bit i: kFields[i]; bit 31: input
  constexpr uint32_t kInputBit = 1u << 31;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Error("", "malformed JSON");
    od::value value;
    if (field.value().get(value)) return Error(key, "malformed JSON");
    if (key == "input") {
      if (seen & kInputBit) return Error(key, "repeated field");
      seen |= kInputBit;
      od::json_type t;
      if (value.type().get(t)) return Error(key, "malformed JSON");
      if (t != od::json_type::object) return Error(key, "expected an object");
      od::object input;
      std::string_view raw;
      if (value.get_object().get(input) || input.raw_json().get(raw))
        return Error(key, "malformed JSON");
      raw = TrimRight(raw);
      // On-demand parsing counts brackets without checking their kind: {"a":1] must not pass.
      if (raw.empty() || raw.back() != '}') return Error(key, "malformed JSON");
      // raw points into the padded copy; hand out the same bytes of the caller's body.
      env.input_json = body.substr(size_t(raw.data() - buffer.data()), raw.size());
      continue;
    }
    size_t i = 0;
    while (i < kFields.size() && kFields[i].name != key) ++i;
    if (i == kFields.size()) {  // other fields are accepted and skipped, but they are signed
      std::string_view text;
      od::json_type t;
      if (value.type().get(t)) return Error(key, "malformed JSON");
      if (t == od::json_type::object) {
        od::object o;
        if (value.get_object().get(o) || o.raw_json().get(text))
          return Error(key, "malformed JSON");
        text = TrimRight(text);
      } else if (t == od::json_type::array) {
        od::array a;
        if (value.get_array().get(a) || a.raw_json().get(text)) return Error(key, "malformed JSON");
        text = TrimRight(text);
      } else if (auto e = Scalar(value, key, text)) {
        return *e;
      }
      env.signed_fields.emplace_back(key, text);
      continue;
    }
    const FieldSpec& spec = kFields[i];
    if (seen & (1u << i)) return Error(spec.name, "repeated field");
    seen |= 1u << i;
    std::string_view text;
    if (auto e = Scalar(value, spec.name, text)) return *e;
    if (Utf8Length(text) > spec.max_chars)
      return Error(spec.name, "longer than " + std::to_string(spec.max_chars) + " characters");
    (env.*spec.member).assign(text);
    if (key != "signtype" && key != "sign") env.signed_fields.emplace_back(key, text);
  }
  // At the end of the document current_location() is out of bounds; anything else is left over.
  const char* rest = nullptr;
  if (!doc.current_location().get(rest))
    return Error("", "malformed JSON: trailing content after the object");

  for (size_t i = 0; i < kFields.size(); ++i)
    if (kFields[i].required && (env.*kFields[i].member).empty())
      return Error(kFields[i].name, "missing");
  if (!(seen & kInputBit)) return Error("input", "missing");

  if (env.infno.size() != 4 || env.infno.find_first_not_of("0123456789") != std::string::npos)
    return Error("infno", "expected 4 digits, got \"" + env.infno + "\"");
  for (char c : env.msgid)
    if (c < 0x21 || c > 0x7e) return Error("msgid", "expected visible ASCII characters only");
  return env;
}

void WriteReply(std::string& out, int infcode, std::string_view inf_refmsgid,
                std::string_view refmsg_time, std::string_view respond_time,
                std::string_view err_msg, std::string_view output_json) {
  out += "{\"infcode\":";
  out += std::to_string(infcode);
  out += ",\"inf_refmsgid\":";
  AppendJsonString(out, inf_refmsgid);
  out += ",\"refmsg_time\":";
  AppendJsonString(out, refmsg_time);
  out += ",\"respond_time\":";
  AppendJsonString(out, respond_time);
  out += ",\"err_msg\":";
  AppendJsonString(out, err_msg);
  out += ",\"output\":";
  out += output_json.empty() ? std::string_view("{}") : output_json;
  out += '}';
}

}  // namespace yibao
