// libFuzzer target: arbitrary bytes as the body of a national-interface call (server/envelope.h),
// then the path the server takes with it: a bad envelope is answered with its diagnostic; a good
// one has its `input` parsed by the transaction's parser (transaction_input.h, chosen by infno) and
// is answered with an output built from the envelope's own strings. Every reply written by
// WriteReply must be one JSON object that reads back with exactly the strings that went in
// (AppendJsonString escaping, any UTF-8), and a parsed envelope must keep the header's promises.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/text.h"
#include "interface/bill_json.h"
#include "interface/transaction_input.h"
#include "server/envelope.h"

namespace yibao {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "envelope_fuzz: %s\n", what);
    std::abort();
  }
}

template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? std::string() : r.errors()[0].ToString();
}

// The handler's parse, as the server will dispatch it; "" when the input is good or the
// transaction is not one of transaction_input.h's.
std::string ParseInput(const Envelope& env) {
  const std::string& n = env.infno;
  std::string_view in = env.input_json;
  if (n == "9001") return ErrorOf(ParseSignInInput(in));
  if (n == "9002") return ErrorOf(ParseSignOutInput(in));
  if (n == "1101") return ErrorOf(ParsePersonQueryInput(in));
  if (n == "2201") return ErrorOf(ParseOutpatientRegistrationInput(in));
  if (n == "2203") return ErrorOf(ParseVisitInfoInput(in));
  if (n == "2204" || n == "2301") return ErrorOf(ParseFeeUploadInput(in));
  if (n == "2205") return ErrorOf(ParseFeeCancelByBatchInput(in));
  if (n == "2302") return ErrorOf(ParseFeeCancelByLineInput(in));
  if (n == "2206" || n == "2207" || n == "2303" || n == "2304")
    return ErrorOf(ParseSettleInput(in));
  if (n == "2208" || n == "2305" || n == "5203") return ErrorOf(ParseSettlementRefInput(in));
  if (n == "2401") return ErrorOf(ParseAdmissionInput(in));
  if (n == "2402") return ErrorOf(ParseDischargeInput(in));
  if (n == "3201") return ErrorOf(ParseReconciliationInput(in));
  return {};
}

std::string_view Str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  Check(!e[key].get(s), "reply field missing or not a string");
  return s;
}

// Reads the reply back and compares it with what was written.
void CheckReply(const std::string& reply, int64_t infcode, std::string_view refmsgid,
                std::string_view time, std::string_view err_msg, const Envelope* env) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  Check(!parser.parse(reply).get(root), "reply is not JSON");
  Check(root.is_object(), "reply is not an object");
  int64_t code = 0;
  Check(!root["infcode"].get(code) && code == infcode, "infcode differs");
  Check(Str(root, "inf_refmsgid") == refmsgid, "inf_refmsgid differs");
  Check(Str(root, "refmsg_time") == time && Str(root, "respond_time") == time, "times differ");
  Check(Str(root, "err_msg") == err_msg, "err_msg differs");
  simdjson::dom::element output;
  Check(!root["output"].get(output) && output.is_object(), "output is not an object");
  if (env) {
    Check(Str(output, "infno") == env->infno, "output.infno differs");
    Check(Str(output, "fixmedins_name") == env->fixmedins_name, "output.fixmedins_name differs");
    Check(Str(output, "opter_name") == env->opter_name, "output.opter_name differs");
    Check(Str(output, "cainfo") == env->cainfo, "output.cainfo differs");
  }
}

}  // namespace
}  // namespace yibao

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yibao;
  // An exact-size copy, so that AddressSanitizer sees any read past the body.
  std::string body(reinterpret_cast<const char*>(data), size);
  Result<Envelope> r = ParseEnvelope(body);
  std::string reply;
  if (!r.ok()) {
    Check(r.errors().size() == 1, "not exactly one diagnostic");
    std::string err = r.errors()[0].ToString();
    Check(!r.errors()[0].message.empty(), "diagnostic without a message");
    Check(IsValidUtf8(err), "diagnostic not valid UTF-8");
    WriteReply(reply, -1, "", "", "", err, "");
    CheckReply(reply, -1, "", "", err, nullptr);
    return 0;
  }
  const Envelope& env = *r;
  Check(env.infno.size() == 4 && env.infno.find_first_not_of("0123456789") == std::string::npos,
        "infno not 4 digits");
  Check(!env.msgid.empty() && env.msgid.size() <= 30, "msgid empty or too long");
  for (char c : env.msgid) Check(c >= 0x21 && c <= 0x7e, "msgid not visible ASCII");
  Check(!env.fixmedins_code.empty(), "fixmedins_code empty");
  const std::string_view in = env.input_json;
  Check(in.size() >= 2 && in.front() == '{' && in.back() == '}', "input_json not an object");
  Check(in.data() >= body.data() && in.data() + in.size() <= body.data() + body.size(),
        "input_json outside the body");

  std::string err = ParseInput(env);
  Check(IsValidUtf8(err), "input diagnostic not valid UTF-8");
  std::string output = "{\"infno\":";
  AppendJsonString(output, env.infno);
  output += ",\"fixmedins_name\":";
  AppendJsonString(output, env.fixmedins_name);
  output += ",\"opter_name\":";
  AppendJsonString(output, env.opter_name);
  output += ",\"cainfo\":";
  AppendJsonString(output, env.cainfo);
  output += '}';
  const int infcode = err.empty() ? 0 : -1;
  WriteReply(reply, infcode, env.msgid, env.inf_time, env.inf_time, err, output);
  CheckReply(reply, infcode, env.msgid, env.inf_time, err, &env);
  return 0;
}
