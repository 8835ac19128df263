#!/usr/bin/env bash
# Installs every system dependency of yibao from Debian 12 packages. Nothing else is downloaded.
# Usage (as root): scripts/install-deps.sh
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev        # Asio/Beast (the HTTP service and the HIS client)
  libsimdjson-dev         # visit / interface JSON parsing (exact decimal tokens)
  libtomlplusplus-dev     # benefit-policy language (TOML with source positions)
  libcli11-dev libfmt-dev
  libsqlite3-dev libpq-dev libssl-dev
  libzstd-dev             # the ledger's bills, compressed with a dictionary trained on them
  libgoogle-perftools-dev # tcmalloc for the server and the load generator (less CPU per request)
  postgresql-15           # throwaway clusters for the PostgreSQL ledger tests and bench
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev   # libFuzzer targets
  clang-format
  curl jq                 # scripts/curl-demo.sh: the README's walk through the national interface
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
