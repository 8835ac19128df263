// JSON string literals for every writer of JSON in the project (bill replies, the grouper's and
// the payment reports, logs): one escaper, so that every output escapes alike.
#pragma once

#include <string>
#include <string_view>

namespace yibao {

// Appends `s` as a JSON string literal: quotes, and escapes for '"', '\\' and control bytes.
// UTF-8 passes through unchanged.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace yibao
