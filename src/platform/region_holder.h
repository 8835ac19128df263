// The region in force, replaceable while the service runs: an operator installs a new catalogue or
// policy (admin API), the region is loaded and validated whole, and only then swapped in. Each
// request takes one snapshot with Current() and uses it to the end, so a settlement never sees half
// of a change.
//
// Thread safety: every method from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "region/region.h"

namespace yibao {

class RegionHolder {
 public:
  explicit RegionHolder(std::shared_ptr<const Region> region) : region_(std::move(region)) {}

  std::shared_ptr<const Region> Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return region_;
  }

  void Replace(std::shared_ptr<const Region> region) {
    std::lock_guard<std::mutex> lock(mu_);
    region_ = std::move(region);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Region> region_;
};

}  // namespace yibao
