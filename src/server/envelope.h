// The national interface's message envelope (DOMAIN.md §11): every HIS call is one JSON object with
// the transaction number `infno`, the message id `msgid`, who sends it and from where, and the
// transaction's own fields under `input`. The reply is another envelope: `infcode` (0 success,
// −1 failure), the platform's message id, two times, `err_msg` and `output`.
//
// ParseEnvelope reads the envelope fields and keeps `input` as the exact bytes the HIS sent, so a
// signature check and the transaction handler can parse it again (each handler knows its shape).
// Errors name the field ("msgid: longer than 30 characters"); the server sends them back as
// infcode −1 with HTTP 200, which is how the national interface reports bad requests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic.h"

namespace yibao {

struct Envelope {
  std::string infno;            // transaction number, exactly 4 digits ("2207")
  std::string msgid;            // institution code + timestamp + sequence; ≤ 30 visible ASCII
  std::string mdtrtarea_admvs;  // place of treatment (admdvs)
  std::string insuplc_admdvs;   // insured place (admdvs)
  std::string recer_sys_code;   // receiving system
  std::string dev_no;
  std::string dev_safe_info;
  std::string cainfo;    // CA information of the sender (kept, not interpreted)
  std::string signtype;  // "SM2" when the message is signed
  std::string sign;      // base64 SM2 signature (docs/formats/signature.md)
  std::string infver;    // interface version
  std::string opter_type;
  std::string opter;
  std::string opter_name;
  std::string inf_time;  // the HIS's own time, "YYYY-MM-DD HH:MM:SS" (not checked here)
  std::string fixmedins_code;
  std::string fixmedins_name;
  std::string sign_no;  // from sign-in (9001)
  // The exact bytes of the `input` object, from `{` to `}`. A view into the body given to
  // ParseEnvelope: valid as long as that body is. Its inside is not validated here.
  std::string_view input_json;
  // Every top-level field but `signtype`, `sign` and `input`, as (key, text) — known and unknown
  // ones, in the order sent — for the signature's canonical string. Non-scalar values as raw JSON.
  std::vector<std::pair<std::string, std::string>> signed_fields;
};

// One request is bounded (the HTTP layer's body limit is usually far lower).
constexpr size_t kMaxEnvelopeBytes = 8 << 20;

// Required: infno, msgid, fixmedins_code (non-empty) and input (an object). String fields also
// accept a JSON number (its token) and null (empty); any other type is an error. Lengths are in
// characters (UTF-8 code points). Unknown top-level fields are skipped; a repeated field is an
// error. Thread-safe (one simdjson parser per thread).
Result<Envelope> ParseEnvelope(std::string_view body);

// Writes the reply envelope into `out` (appending), in this order: infcode, inf_refmsgid,
// refmsg_time, respond_time, err_msg, output. `output_json` is written verbatim and must be a JSON
// value (normally an object); empty means `{}`. Nothing of the request is echoed.
void WriteReply(std::string& out, int infcode, std::string_view inf_refmsgid,
                std::string_view refmsg_time, std::string_view respond_time,
                std::string_view err_msg, std::string_view output_json);

}  // namespace yibao
