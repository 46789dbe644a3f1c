#!/usr/bin/env bash
# Every check and test of hitgate, with its own set-up. CI runs this script
# (.ci/run); so can you: ./ci.sh
set -euo pipefail
# Debian puts the brokers in /usr/sbin.
export PATH="$PATH:/usr/sbin:/sbin"
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
step() { printf '\n==== %s\n' "$*"; }

step "set-up: no_std targets"
rustup target add thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf >/dev/null

# Debian packages: QEMU for the firmware, Mosquitto and a NATS server
# (three nodes: JetStream and MQTT) for the uplink tests on loopback ports,
# Chromium (headless) for the compare page, OpenSSL for the TLS test's
# certificates.
missing=""
command -v qemu-system-arm >/dev/null 2>&1 || missing="$missing qemu-system-arm"
command -v mosquitto >/dev/null 2>&1 || missing="$missing mosquitto"
command -v nats-server >/dev/null 2>&1 || missing="$missing nats-server"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
if [ -n "$missing" ]; then
  step "set-up:$missing (Debian)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
# The packaged broker may start as a service on 1883; the tests start
# their own on free ports and do not need it.

step "format"
cargo fmt --all -- --check

step "clippy (all targets, all features, warnings denied)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "docs (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

step "hitgate-core on no_std targets, without and with features"
for target in thumbv6m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
  cargo build -q -p hitgate-core --target "$target" --no-default-features
  cargo build -q -p hitgate-core --target "$target" --features flash,defmt,trust
  echo "  $target: ok"
done

step "tests (unit, property, doc, end-to-end)"
log=$(mktemp)
cargo test --workspace --features hitgate-core/flash,hitgate-core/trust 2>&1 | tee "$log"
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
rm -f "$log"

step "firmware: format, clippy, and the defmt build"
(
  cd examples/qemu-unit
  export CARGO_TARGET_DIR="$PWD/../../target/qemu"
  cargo fmt -- --check
  cargo clippy -q --release -- -D warnings
  DEFMT_LOG=info cargo build -q --release --features defmt
)

if [ -x examples/qemu-unit/run-all.sh ]; then
  step "firmware in QEMU, byte-for-byte against the host"
  examples/qemu-unit/run-all.sh
fi

step "peers: hitgate's answers read by read against a hash set and SymSpell"
(
  cd examples/peers
  export CARGO_TARGET_DIR="$PWD/../../target"
  cargo fmt -- --check
  cargo clippy -q --release -- -D warnings
  # 20,000 entries, 16,384 near-miss reads, three rounds each: the program
  # fails when the answers differ (the speeds it prints are not checked).
  cargo run -q --release -- 20000 0
)

step "fuzz smoke run (cargo-fuzz on stable, no sanitizer, 10 s a target)"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked -q cargo-fuzz
(
  cd fuzz
  log=$(mktemp)
  for target in plate frames messages bundle unit lookup signed chain; do
    if ! cargo fuzz run -s none "$target" -- -max_total_time=10 >"$log" 2>&1; then
      tail -40 "$log" >&2
      echo "fuzz target $target failed" >&2
      exit 1
    fi
    echo "  $target: $(grep -E '^Done' "$log")"
  done
  rm -f "$log"
)

step "all checks passed"
# The closing line CI reads: every test of the run, summed.
echo "tests: ${passed} passed, 0 failed"
