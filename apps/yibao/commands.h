// Subcommands that live in files of their own. Each adds itself to the app and, when parsed, sets
// `run` to the function that carries it out (main() calls it after parsing).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace yibao {

void AddPayCommand(CLI::App& app, std::function<int()>& run);     // pay.cc
void AddReviewCommand(CLI::App& app, std::function<int()>& run);  // review.cc
void AddGenCommand(CLI::App& app, std::function<int()>& run);     // gen.cc

}  // namespace yibao
