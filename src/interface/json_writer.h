// A small streaming writer for the JSON replies: keys in the order written, money with exactly two
// decimals, no allocation beyond the output string. Commas are placed by the writer.
#pragma once

#include <string>
#include <string_view>

#include "base/money.h"
#include "interface/bill_json.h"

namespace yibao {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void Open(char c) {  // '{' or '['
    Sep();
    out_.push_back(c);
    first_ = true;
  }
  void Close(char c) {
    out_.push_back(c);
    first_ = false;
  }
  void Key(std::string_view k) {
    Sep();
    AppendJsonString(out_, k);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
  }
  void Str(std::string_view k, std::string_view v) {
    Key(k);
    Sep();
    AppendJsonString(out_, v);
  }
  void Num(std::string_view k, Money m) {
    Key(k);
    Sep();
    m.AppendTo(out_);
  }
  void Raw(std::string_view k, std::string_view v) {  // v is JSON already
    Key(k);
    Sep();
    out_ += v;
  }
  void Value(std::string_view v) {  // a string element of an array
    Sep();
    AppendJsonString(out_, v);
  }
  void RawValue(std::string_view v) {  // a JSON element of an array
    Sep();
    out_ += v;
  }

 private:
  void Sep() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace yibao
