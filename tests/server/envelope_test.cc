#include "server/envelope.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "server/clock.h"

namespace yibao {
namespace {

// A complete 2207 envelope as a HIS sends it; `input` is spliced in verbatim.
std::string Body(std::string_view input = R"({"data":{"psn_no":"43010000000000000001"}})") {
  return std::string(
             R"({"infno":"2207","msgid":"H43010100001202403010930000001","mdtrtarea_admvs":"430100",)"
             R"("insuplc_admdvs":"430102","recer_sys_code":"FSI_LOCAL","dev_no":"D1","dev_safe_info":"S",)"
             R"("cainfo":"ca","signtype":"SM2","infver":"V1.0","opter_type":"1","opter":"0001",)"
             R"("opter_name":"王医生","inf_time":"2024-03-01 09:30:00","fixmedins_code":"H43010100001",)"
             R"("fixmedins_name":"青岚市第一人民医院","sign_no":"SN1","input":)") +
         std::string(input) + "}";
}

// The body with the first occurrence of `from` replaced by `to`.
std::string Edit(std::string body, std::string_view from, std::string_view to) {
  size_t at = body.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) body.replace(at, from.size(), to);
  return body;
}

std::string ErrorOf(std::string_view body) {
  Result<Envelope> r = ParseEnvelope(body);
  if (r.ok()) return "(parsed)";
  return r.errors().front().ToString();
}

TEST(Envelope, ParsesEveryField) {
  std::string body = Body();
  Result<Envelope> r = ParseEnvelope(body);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  const Envelope& e = *r;
  EXPECT_EQ(e.infno, "2207");
  EXPECT_EQ(e.msgid, "H43010100001202403010930000001");
  EXPECT_EQ(e.mdtrtarea_admvs, "430100");
  EXPECT_EQ(e.insuplc_admdvs, "430102");
  EXPECT_EQ(e.recer_sys_code, "FSI_LOCAL");
  EXPECT_EQ(e.dev_no, "D1");
  EXPECT_EQ(e.dev_safe_info, "S");
  EXPECT_EQ(e.cainfo, "ca");
  EXPECT_EQ(e.signtype, "SM2");
  EXPECT_EQ(e.infver, "V1.0");
  EXPECT_EQ(e.opter_type, "1");
  EXPECT_EQ(e.opter, "0001");
  EXPECT_EQ(e.opter_name, "王医生");
  EXPECT_EQ(e.inf_time, "2024-03-01 09:30:00");
  EXPECT_EQ(e.fixmedins_code, "H43010100001");
  EXPECT_EQ(e.fixmedins_name, "青岚市第一人民医院");
  EXPECT_EQ(e.sign_no, "SN1");
  EXPECT_EQ(e.input_json, R"({"data":{"psn_no":"43010000000000000001"}})");
}

TEST(Envelope, KeepsNestedInputByteExact) {
  // Spaces, newlines, escapes, exact decimals and a nested array: nothing is normalised.
  std::string input =
      "{ \"data\" : {\"psn_no\":\"1\",\n  \"fee\": [ {\"pric\": 12.50, \"cnt\":\"1.0000\"}, "
      "{\"x\":\"\\u4e2d\\\"q\\\"\"} ],\t\"empty\":{} } , \"b\" : null }";
  std::string body = Body(input);
  Result<Envelope> r = ParseEnvelope(body);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->input_json, input);
  // A view into the caller's body, not a copy.
  EXPECT_GE(r->input_json.data(), body.data());
  EXPECT_LE(r->input_json.data() + r->input_json.size(), body.data() + body.size());
}

TEST(Envelope, InputAnywhereAndWithSpaceAround) {
  std::string body =
      R"({ "input" :   {"a":1}   , "infno":"1101","msgid":"M1","fixmedins_code":"H1" } )";
  Result<Envelope> r = ParseEnvelope(body);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->input_json, R"({"a":1})");
  EXPECT_EQ(r->infno, "1101");
  EXPECT_EQ(r->mdtrtarea_admvs, "");  // optional fields default to empty
}

TEST(Envelope, EachRequiredFieldMissing) {
  std::string body = Body();
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207",)", "")), "infno: missing");
  EXPECT_EQ(ErrorOf(Edit(body, R"("msgid":"H43010100001202403010930000001",)", "")),
            "msgid: missing");
  EXPECT_EQ(ErrorOf(Edit(body, R"("fixmedins_code":"H43010100001",)", "")),
            "fixmedins_code: missing");
  EXPECT_EQ(ErrorOf(Edit(body, R"(,"input":{"data":{"psn_no":"43010000000000000001"}})", "")),
            "input: missing");
  // Empty or null is as good as missing.
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":"")")), "infno: missing");
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":null)")), "infno: missing");
  EXPECT_EQ(ErrorOf(Edit(body, R"("fixmedins_code":"H43010100001")", R"("fixmedins_code":"")")),
            "fixmedins_code: missing");
}

TEST(Envelope, WrongTypes) {
  std::string body = Body();
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":{"a":1})")),
            "infno: expected a string");
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":["2207"])")),
            "infno: expected a string");
  EXPECT_EQ(ErrorOf(Edit(body, R"("opter_type":"1")", R"("opter_type":true)")),
            "opter_type: expected a string");
  EXPECT_EQ(ErrorOf(Body(R"("text")")), "input: expected an object");
  EXPECT_EQ(ErrorOf(Body(R"([{"a":1}])")), "input: expected an object");
  EXPECT_EQ(ErrorOf(Body("null")), "input: expected an object");
  // A number is taken as its token (some HIS send numeric codes).
  Result<Envelope> r = ParseEnvelope(Edit(body, R"("infno":"2207")", R"("infno":2207)"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->infno, "2207");
}

TEST(Envelope, InfnoIsFourDigits) {
  std::string body = Body();
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":"22a7")")),
            "infno: expected 4 digits, got \"22a7\"");
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":"220")")),
            "infno: expected 4 digits, got \"220\"");
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207")", R"("infno":"22070")")),
            "infno: longer than 4 characters");
}

TEST(Envelope, Oversized) {
  std::string body = Body();
  std::string msgid30(30, 'M');
  EXPECT_TRUE(ParseEnvelope(Edit(body, "H43010100001202403010930000001", msgid30)).ok());
  EXPECT_EQ(ErrorOf(Edit(body, "H43010100001202403010930000001", msgid30 + "M")),
            "msgid: longer than 30 characters");
  EXPECT_EQ(ErrorOf(Edit(body, "H43010100001202403010930000001", "H4301 space")),
            "msgid: expected visible ASCII characters only");
  // Lengths count characters: 50 Chinese characters (150 bytes) fit opter_name, 51 do not.
  std::string fifty;
  for (int i = 0; i < 50; ++i) fifty += "医";
  EXPECT_TRUE(ParseEnvelope(Edit(body, "王医生", fifty)).ok());
  EXPECT_EQ(ErrorOf(Edit(body, "王医生", fifty + "医")), "opter_name: longer than 50 characters");
  EXPECT_EQ(ErrorOf(Edit(body, R"("mdtrtarea_admvs":"430100")", R"("mdtrtarea_admvs":"4301001")")),
            "mdtrtarea_admvs: longer than 6 characters");
  // The whole body is bounded too.
  std::string huge = Body(R"({"pad":")" + std::string(kMaxEnvelopeBytes, 'x') + R"("})");
  EXPECT_EQ(ErrorOf(huge), "request body larger than 8388608 bytes");
}

TEST(Envelope, MalformedJson) {
  EXPECT_EQ(ErrorOf(""), "malformed JSON");
  EXPECT_EQ(ErrorOf("{not json"), "malformed JSON");
  EXPECT_EQ(ErrorOf(R"({"infno":"2207")"), "malformed JSON");
  EXPECT_EQ(ErrorOf("[1,2]"), "expected a JSON object");
  EXPECT_EQ(ErrorOf("\"2207\""), "expected a JSON object");
  std::string body = Body();
  EXPECT_EQ(ErrorOf(body + "x"), "malformed JSON");
  EXPECT_EQ(ErrorOf(body + body), "malformed JSON: trailing content after the object");
  EXPECT_TRUE(ParseEnvelope(body + " \r\n").ok());
  // Not UTF-8 (GBK bytes).
  EXPECT_EQ(ErrorOf(Edit(body, "王医生", "\xcd\xf5")), "malformed JSON");
  // Cut anywhere: an error, never a crash.
  for (size_t n = 0; n < body.size(); ++n) EXPECT_FALSE(ParseEnvelope(body.substr(0, n)).ok()) << n;
}

// Random damage (flipped, dropped and inserted bytes) never crashes the parser, and whatever it
// accepts has an input_json that is an object inside the body.
TEST(Envelope, SurvivesRandomDamage) {
  std::mt19937 rng(2207);
  const std::string good = Body(R"({"data":{"a":[1,{"b":"c"}],"d":"\u4e2d"},"e":[]})");
  const std::string_view noise = "{}[]\":,\\ \x01\xe4tfn0-.e";
  size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string body = good;
    int edits = 1 + int(rng() % 4);
    for (int k = 0; k < edits && !body.empty(); ++k) {
      size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0:
          body[at] = noise[rng() % noise.size()];
          break;
        case 1:
          body.erase(at, 1 + rng() % 3);
          break;
        default:
          body.insert(at, 1, noise[rng() % noise.size()]);
      }
    }
    Result<Envelope> r = ParseEnvelope(body);
    if (!r.ok()) continue;
    ++accepted;
    const std::string_view in = r->input_json;
    ASSERT_GE(in.size(), 2u) << body;
    EXPECT_GE(in.data(), body.data()) << body;
    EXPECT_LE(in.data() + in.size(), body.data() + body.size()) << body;
    EXPECT_EQ(in.front(), '{') << body;
    EXPECT_EQ(in.back(), '}') << body;
  }
  EXPECT_GT(accepted, 0u);  // some damage lands in places that do not matter
}

TEST(Envelope, RepeatedAndUnknownFields) {
  std::string body = Body();
  EXPECT_EQ(ErrorOf(Edit(body, R"("infno":"2207",)", R"("infno":"2207","infno":"2208",)")),
            "infno: repeated field");
  EXPECT_EQ(ErrorOf(Edit(body, R"("input":)", R"("input":{},"input":)")), "input: repeated field");
  Result<Envelope> r =
      ParseEnvelope(Edit(body, R"("infno":"2207",)", R"("infno":"2207","warn_msg":[1,{"a":2}],)"));
  EXPECT_TRUE(r.ok());
}

TEST(Envelope, WritesReply) {
  std::string out;
  WriteReply(out, 0, "430100202403010930000000000001", "2024-03-01 09:30:00", "2024-03-01 09:30:01",
             "", R"({"setlinfo":{"setl_id":"S1"}})");
  EXPECT_EQ(out, R"({"infcode":0,"inf_refmsgid":"430100202403010930000000000001",)"
                 R"("refmsg_time":"2024-03-01 09:30:00","respond_time":"2024-03-01 09:30:01",)"
                 R"("err_msg":"","output":{"setlinfo":{"setl_id":"S1"}}})");
  out.clear();
  WriteReply(out, -1, "R", "t1", "t2", "msgid: \"x\"\n不对", "");
  EXPECT_EQ(out, R"({"infcode":-1,"inf_refmsgid":"R","refmsg_time":"t1","respond_time":"t2",)"
                 R"("err_msg":"msgid: \"x\"\n不对","output":{}})");
}

TEST(Clock, FormatsChinaStandardTime) {
  using namespace std::chrono;
  EXPECT_EQ(FormatTime(system_clock::time_point{}), "1970-01-01 08:00:00");
  auto t = ParseTime("2024-02-29 23:59:59");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTime(*t), "2024-02-29 23:59:59");
  EXPECT_EQ(FormatTime(*t + seconds(1)), "2024-03-01 00:00:00");
  std::string compact;
  AppendCompactTime(compact, *t);
  EXPECT_EQ(compact, "20240229235959");
  std::string log;
  AppendLogTime(log, *t + milliseconds(7));
  EXPECT_EQ(log, "2024-02-29T23:59:59.007+08:00");
  EXPECT_EQ(system_clock::to_time_t(*t), 1709222399);  // 15:59:59 UTC
  for (const char* bad : {"2023-02-29 00:00:00", "2024-03-01T09:30:00", "2024-03-01 24:00:00",
                          "2024-3-01 09:30:00", ""})
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
}

}  // namespace
}  // namespace yibao
