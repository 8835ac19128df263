#include "crypto/envelope_signature.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>

namespace yibao {
namespace {

bool ExcludedFromSigning(std::string_view key) {
  return key == "signtype" || key == "sign" || key == "input";
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string CanonicalSigningString(const std::vector<std::pair<std::string, std::string>>& fields,
                                   std::string_view input_json) {
  std::vector<const std::pair<std::string, std::string>*> kept;
  kept.reserve(fields.size());
  for (const auto& f : fields) {
    if (!ExcludedFromSigning(f.first)) kept.push_back(&f);
  }
  // std::string compares bytes as unsigned char: UTF-8 keys sort by code point.
  std::sort(kept.begin(), kept.end(), [](const auto* a, const auto* b) { return *a < *b; });
  std::string s;
  std::size_t size = input_json.size() + 7;
  for (const auto* f : kept) size += f->first.size() + f->second.size() + 2;
  s.reserve(size);
  // '%', '&' and '=' inside keys and values are percent-encoded, so that no two different field
  // sets give the same string (a="1&b=2" would otherwise read like a="1", b="2").
  auto append_escaped = [&s](std::string_view text) {
    for (char c : text) {
      if (c == '%')
        s += "%25";
      else if (c == '&')
        s += "%26";
      else if (c == '=')
        s += "%3D";
      else
        s += c;
    }
  };
  for (const auto* f : kept) {
    append_escaped(f->first);
    s += '=';
    append_escaped(f->second);
    s += '&';
  }
  s += "input=";
  s += input_json;
  return s;
}

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out;
  // EVP_EncodeBlock takes an int length; encode in chunks of a multiple of 3 bytes.
  constexpr std::size_t kChunk = 3 * (1 << 20);
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, bytes.size() - at);
    std::size_t old = out.size();
    out.resize(old + (n + 2) / 3 * 4 + 1);  // EVP_EncodeBlock writes a NUL
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + old),
                                  bytes.data() + at, static_cast<int>(n));
    out.resize(old + static_cast<std::size_t>(written));
  }
  return out;
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  const std::string field = "base64";
  auto error = [&](std::string message) {
    return Diagnostic{.field = field, .message = std::move(message)};
  };
  if (text.size() > static_cast<std::size_t>(INT_MAX / 4 * 3)) return error("base64 too long");
  // Validate first: EVP_DecodeBlock skips leading and trailing whitespace and treats '=' loosely.
  std::size_t padding = 0;
  while (padding < text.size() && padding < 3 && text[text.size() - 1 - padding] == '=') ++padding;
  if (padding > 2) return error("more than two '=' at the end");
  std::string_view body = text.substr(0, text.size() - padding);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (!IsBase64Char(body[i])) {
      return error(body[i] == '=' ? "'=' before the end at position " + std::to_string(i + 1)
                                  : "not a base64 character at position " + std::to_string(i + 1));
    }
  }
  if (padding > 0 && text.size() % 4 != 0) {
    return error("padded base64 must have a length that is a multiple of 4; got " +
                 std::to_string(text.size()));
  }
  if (body.size() % 4 == 1) {
    return error("truncated base64: " + std::to_string(body.size()) + " characters");
  }
  // Restore the padding EVP_DecodeBlock needs, then drop the zero bytes it decodes from it.
  std::string padded(body);
  std::size_t pad = (4 - body.size() % 4) % 4;
  padded.append(pad, '=');
  std::vector<uint8_t> out(padded.size() / 4 * 3);
  if (padded.empty()) return out;
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                          static_cast<int>(padded.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return error("invalid base64");
  out.resize(out.size() - pad);
  return out;
}

Result<std::string> SignEnvelope(const Sm2PrivateKey& key, std::string_view canonical,
                                 std::string_view id) {
  auto der = Sign(key, canonical, id);
  if (!der) return der.errors();
  return Base64Encode(*der);
}

bool VerifyEnvelope(const Sm2PublicKey& key, std::string_view canonical,
                    std::string_view base64_signature, std::string_view id) {
  // Longer than any DER or raw signature's base64: refuse before decoding.
  if (base64_signature.size() > (kSm2MaxDerSignatureSize + 2) / 3 * 4) return false;
  auto sig = Base64Decode(base64_signature);
  return sig && Verify(key, canonical, *sig, id);
}

}  // namespace yibao
