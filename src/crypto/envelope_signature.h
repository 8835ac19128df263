// The signature of a national-interface request envelope (docs/formats/signature.md).
//
// The string signed is built from the envelope's top-level fields: every field except `signtype`,
// `sign` and `input`, sorted by key (byte order), as key=value joined with '&', then
// "&input=" followed by the exact bytes of the input JSON as sent. The signature is SM2 with SM3
// (sm2.h) under the institution's ID, DER-encoded, base64 in the envelope's `sign` field.
//
// Thread safety: pure functions; see sm2.h for keys.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "crypto/sm2.h"

namespace yibao {

// Values are the fields' text: a JSON string's contents (unescaped), or a number as written.
// Sorting is by key, then by value, so the result never depends on the order of `fields`.
std::string CanonicalSigningString(const std::vector<std::pair<std::string, std::string>>& fields,
                                   std::string_view input_json);

// Standard base64 (RFC 4648 §4, '+' and '/'), with '=' padding, no line breaks.
std::string Base64Encode(std::span<const uint8_t> bytes);
// Accepts padded input (length a multiple of 4) and unpadded input (length 2 or 3 mod 4); refuses
// whitespace, characters outside the alphabet, and '=' anywhere but the last one or two places.
Result<std::vector<uint8_t>> Base64Decode(std::string_view text);

// The `sign` value for `canonical`: base64 of the DER SM2 signature.
Result<std::string> SignEnvelope(const Sm2PrivateKey& key, std::string_view canonical,
                                 std::string_view id = kSm2DefaultId);
// True when `base64_signature` (DER, or raw r ‖ s) is `key`'s signature of `canonical` under `id`.
// False for anything else, including base64 that does not decode.
bool VerifyEnvelope(const Sm2PublicKey& key, std::string_view canonical,
                    std::string_view base64_signature, std::string_view id = kSm2DefaultId);

}  // namespace yibao
