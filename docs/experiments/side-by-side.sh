#!/bin/bash
# hitgate's lookup loop against the hash-index experiment, alternated in one
# run (docs/perf-history.md, "What more memory buys"). From the repository root:
#   bash docs/experiments/side-by-side.sh
set -euo pipefail
cargo build -q --release -p hitgate-core --example lookup_loop
cc -O3 -march=native -Wall -o /tmp/deletion-index docs/experiments/deletion-index.c
L=${CARGO_TARGET_DIR:-target}/release/examples/lookup_loop
D=/tmp/deletion-index
T=glibc.malloc.hugetlb=1 # transparent huge pages for glibc's allocations
for r in 1 2 3; do
  echo "-- round $r"
  echo "hitgate 1M: $($L 1000000 2 | grep -o '[0-9]* lookups/s')"
  echo "hitgate 1M huge pages: $(GLIBC_TUNABLES=$T $L 1000000 2 | grep -o '[0-9]* lookups/s')"
  echo "hitgate 100k: $($L 100000 2 | grep -o '[0-9]* lookups/s')"
  for load in 0.75 0.5 0.25; do
    echo "hash 1M load $load huge pages: $(GLIBC_TUNABLES=$T $D 1000000 $load 1 0 0 | grep -o '([0-9.]* M')"
  done
  echo "hash 1M load 0.5 huge pages two reads ahead: $(GLIBC_TUNABLES=$T $D 1000000 0.5 1 0 2 | grep -o '([0-9.]* M')"
  echo "hash 1M load 0.75: $($D 1000000 0.75 1 0 0 | grep -o '([0-9.]* M')"
  echo "hash 100k load 0.75: $($D 100000 0.75 1 0 0 | grep -o '([0-9.]* M')"
  echo "hash 10k load 0.75: $($D 10000 0.75 1 0 0 | grep -o '([0-9.]* M')"
done
