#!/usr/bin/env bash
# Runs the firmware on its three QEMU boards and checks that the hit frames
# it writes are byte-for-byte the frames `hitgate replay --frames` writes
# for the same stream, lists and policy, with the same table sizes; on the
# boards with a flash outbox, through a restart with hits waiting in it.
# The firmware takes its lists from a signed image it verifies at boot; on
# the MPS2 board also a delta, whose hits must be those of the full image
# of its version; and an image signed with another key must be refused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
host_target="${CARGO_TARGET_DIR:-$root/target}"
hitgate="$host_target/debug/hitgate"
(cd "$root" && CARGO_TARGET_DIR="$host_target" cargo build -q -p hitgate-host --bin hitgate)
export CARGO_TARGET_DIR="$host_target/qemu"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Scenarios: the hand-checked fixture, and a generated stream with lists
# small enough for the 64 KiB board.
mkdir -p "$work/basic" "$work/gen" "$work/delta" "$work/bad-delta" "$work/zones"
cp "$root/tests/fixtures/basic/reads.jsonl" "$root/tests/fixtures/basic/lists.csv" "$work/basic/"
# The fixture under the example zone's policy: zones, a schedule, an
# operation and camera positions, carried by the signed image.
cp "$root/tests/fixtures/basic/reads.jsonl" "$root/tests/fixtures/basic/lists.csv" "$work/zones/"
cp "$root/examples/policies/brussels-zone.toml" "$work/zones/policy.toml"
"$hitgate" gen --out "$work/gen" --seed 11 --preset small --list-scale 0.004 >/dev/null
# For the 64 KiB board: lists whose signed image fits its 8 KiB buffer.
mkdir -p "$work/gen-m3"
"$hitgate" gen --out "$work/gen-m3" --seed 11 --preset small --list-scale 0.0015 >/dev/null
# Cameras that call themselves by long names (a register's names, UUIDs):
# the unit keeps them folded to 16 bytes, the firmware as the host, and
# the policy's rule and positions that name them fold the same way.
mkdir -p "$work/long-ids"
cp "$work/gen-m3/lists.csv" "$work/long-ids/"
for f in reads.jsonl policy.toml; do
  sed -e 's/"cam-0/"bxl-ring-north-anpr-cam-0/g' \
      -e 's/"mobile-1"/"mobile-1-van-brussels-capital"/g' "$work/gen-m3/$f" > "$work/long-ids/$f"
done
# For the micro:bit (64 entries): a generated stream (one-frame passages,
# both lanes, cameras out of step, 40 look-alike cars, 5 % misread
# characters) against 60 of its entries, the wanted, stolen and local
# ones, under the default matrix. Its held frames change its hits here
# (50 against 49 without them).
mkdir -p "$work/gen-mb-all" "$work/gen-mb"
"$hitgate" gen --out "$work/gen-mb-all" --seed 11 --preset small --list-scale 0.0015 \
  --decoys 40 --error-rate 0.05 >/dev/null
cp "$work/gen-mb-all/reads.jsonl" "$work/gen-mb/"
{ head -1 "$work/gen-mb-all/lists.csv"
  grep ',wanted,' "$work/gen-mb-all/lists.csv" | head -30
  grep -E ',(stolen|local),' "$work/gen-mb-all/lists.csv" | head -30
} > "$work/gen-mb/lists.csv"
# A working group's rule over a generated stream with look-alike cars and
# misread characters: P0/P1 hits of one frame matched only with tolerance
# go to review (`max_reads`), unless the frame spells no plate a car can
# carry (`read_fits`); three hits of this stream are decided by the rule,
# and two pass it for that reason (`2QN2S17` for `2QNE517`, a digit where
# Belgium has a letter, dispatched).
mkdir -p "$work/rule"
"$hitgate" gen --out "$work/rule" --seed 11 --preset small --list-scale 0.004 \
  --decoys 40 --error-rate 0.05 >/dev/null
awk '/^# The Brussels baseline/ {
       print "[[rule]]\nname = \"p0-p1-one-fuzzy-frame\"\npriorities = [0, 1]"
       print "kinds = [\"ocr\", \"edit\"]\nmax_reads = 1\nread_fits = true\naction = \"review\"\n"
     } { print }' "$work/rule/policy.toml" > "$work/rule/with-rule.toml"
mv "$work/rule/with-rule.toml" "$work/rule/policy.toml"
# The delta scenario: the generated lists as version 1, then version 2
# without the first 40 entries and with 10 more made up; the host replays
# version 2 from its full image.
cp "$work/gen/reads.jsonl" "$work/gen/policy.toml" "$work/delta/"
cp "$work/gen/reads.jsonl" "$work/gen/policy.toml" "$work/bad-delta/"
head -1 "$work/gen/lists.csv" > "$work/delta/lists.csv"
tail -n +42 "$work/gen/lists.csv" >> "$work/delta/lists.csv"
for i in $(seq 10 19); do echo "9DLT0$i,BE,1,$(sed -n 2p "$work/gen/lists.csv" | cut -d, -f4),," >> "$work/delta/lists.csv"; done

# The zone's signing key, and the raw public key a unit is provisioned with.
"$hitgate" keygen --out "$work/zone.key" >/dev/null
"$hitgate" keygen --out "$work/other.key" >/dev/null
raw_key() { printf "$(sed 's/^[^ ]* //; s/../\\x&/g' "$1")"; }
# sign DIR VERSION LISTS OUT [KEY]: the signed full image of DIR's policy and LISTS.
sign() {
  local policy=()
  [ -f "$1/policy.toml" ] && policy=(--policy "$1/policy.toml")
  "$hitgate" bundle build --lists "$3" "${policy[@]}" --list-version "$2" --key "${5:-$work/zone.key}" --out "$4" >/dev/null
}

# same_frames A B: the same frames (each ending in 0x00), whatever their order.
same_frames() {
  python3 - "$1" "$2" <<'EOF_PY'
import sys
frames = [sorted(open(p, "rb").read().split(b"\0")) for p in sys.argv[1:3]]
sys.exit(0 if frames[0] == frames[1] else 1)
EOF_PY
}

# board: target cpu machine profile passages suppression cameras held-frames
# scenarios (the micro:bit built for size: Cargo.toml's release-small)
boards=(
  "thumbv6m-none-eabi cortex-m0 microbit release-small 8 32 4 16 basic gen-mb"
  "thumbv7m-none-eabi cortex-m3 lm3s6965evb release 16 96 16 16 basic gen-m3 zones long-ids"
  "thumbv7em-none-eabihf cortex-m4 mps2-an386 release 32 1024 64 16 basic gen delta bad-delta zones rule"
)
fail=0
for b in "${boards[@]}"; do
  set -- $b
  target=$1 cpu=$2 machine=$3 profile=$4 passages=$5 suppression=$6 cameras=$7 held=$8
  shift 8
  (cd "$here" && cargo build -q --profile "$profile" --target "$target")
  elf="$CARGO_TARGET_DIR/$target/$profile/hitgate-qemu-unit"
  for scen in "$@"; do
    dir="$work/$scen"
    run="$work/run-$target-$scen"
    mkdir -p "$run"
    raw_key "$work/zone.key.pub" > "$run/trust.key"
    if [ "$target" = thumbv6m-none-eabi ]; then
      # The micro:bit takes an unsigned bundle (lists, then reads).
      policy=()
      [ -f "$dir/policy.toml" ] && policy=(--policy "$dir/policy.toml")
      "$hitgate" replay --reads "$dir/reads.jsonl" --lists "$dir/lists.csv" "${policy[@]}" \
        --out "$run/host" --frames --quiet --passages "$passages" --suppression "$suppression" --cameras "$cameras" --held-frames "$held" >/dev/null
      "$hitgate" prepare --reads "$dir/reads.jsonl" --lists "$dir/lists.csv" "${policy[@]}" --out "$run/bundle.bin" >/dev/null
    elif [ "$scen" = delta ]; then
      # Version 1 of the generated lists, and the delta to version 2.
      sign "$dir" 1 "$work/gen/lists.csv" "$run/lists.hgsb"
      sign "$dir" 2 "$dir/lists.csv" "$run/v2.hgsb"
      "$hitgate" bundle delta --from "$run/lists.hgsb" --to "$run/v2.hgsb" --key "$work/zone.key" --out "$run/delta.hgsb" >/dev/null
      full="$run/v2.hgsb"
    elif [ "$scen" = bad-delta ]; then
      # The same delta with one byte of its body changed: refused, and
      # version 1 stays in force (the host replays version 1).
      sign "$dir" 1 "$work/gen/lists.csv" "$run/lists.hgsb"
      sign "$dir" 2 "$work/delta/lists.csv" "$run/v2.hgsb"
      "$hitgate" bundle delta --from "$run/lists.hgsb" --to "$run/v2.hgsb" --key "$work/zone.key" --out "$run/good.hgsb" >/dev/null
      python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[70] ^= 1; open(sys.argv[2], 'wb').write(b)" \
        "$run/good.hgsb" "$run/delta.hgsb"
      full="$run/lists.hgsb"
    else
      sign "$dir" 1 "$dir/lists.csv" "$run/lists.hgsb"
      full="$run/lists.hgsb"
    fi
    if [ "$target" != thumbv6m-none-eabi ]; then
      "$hitgate" replay --reads "$dir/reads.jsonl" --bundle "$full" --public "$work/zone.key.pub" \
        --out "$run/host" --frames --quiet --passages "$passages" --suppression "$suppression" --cameras "$cameras" --held-frames "$held" >/dev/null
      "$hitgate" prepare --reads "$dir/reads.jsonl" --bundle "$full" --public "$work/zone.key.pub" --reads-only --out "$run/reads.bin" >/dev/null
    fi
    if ! (cd "$run" && timeout 300 qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic \
      -semihosting-config enable=on,target=native -kernel "$elf" >"$run/log" 2>&1); then
      echo "  $target ($machine), $scen: THE FIRMWARE FAILED:" >&2
      sed 's/^/    /' "$run/log" >&2
      fail=1
      continue
    fi
    grep -v "^Timer with period zero" "$run/log" | sed 's/^/    /'
    hits=$(grep -c . "$run/host/hits.jsonl" || true)
    # Off the micro:bit the outbox is on flash and went through a restart
    # (the firmware checks what came back; this checks it happened).
    if [ "$target" != thumbv6m-none-eabi ] && ! grep -q "outbox on flash, at boot 2" "$run/log"; then
      echo "  $target ($machine), $scen: NO RESTART OF THE FLASH OUTBOX" >&2
      fail=1
    fi
    if [ "$scen" = delta ] && ! grep -q "delta to version 2" "$run/log"; then
      echo "  $target ($machine), $scen: THE DELTA WAS NOT APPLIED" >&2
      fail=1
    fi
    if [ "$scen" = bad-delta ] && ! grep -q "delta.hgsb refused: signature does not verify.*version 1 stays in force" "$run/log"; then
      echo "  $target ($machine), $scen: THE ALTERED DELTA WAS NOT REFUSED" >&2
      fail=1
    fi
    # The unit sends what waits in its outbox in delivery order (dispatch
    # first, then the lower priority), so after its restart two waiting
    # hits may leave in another order than they were decided; the host
    # writes them as decided. Each frame carries its sequence number, so
    # the frames are compared byte for byte as a set.
    if same_frames "$run/frames.bin" "$run/host/hits.frames"; then
      echo "  $target ($machine), $scen: $hits hits, frames identical to the host"
    else
      echo "  $target ($machine), $scen: FRAMES DIFFER from the host" >&2
      fail=1
    fi
    if [ "$scen" = rule ] && ! grep -q '"rule":"p0-p1-one-fuzzy-frame"' "$run/host/hits.jsonl"; then
      echo "  $target ($machine), $scen: NO HIT WAS DECIDED BY THE max_reads RULE (the scenario no longer tests it)" >&2
      fail=1
    fi
    # A one-frame tolerant P0/P1 hit that the rule let pass: its frame
    # fits no format (the firmware read the rule's read_fits).
    if [ "$scen" = rule ] && ! grep '"reads":1,' "$run/host/hits.jsonl" \
        | grep -E '"match":"(ocr|edit)"' | grep -E '"priority":[01],' | grep -q '"rule":"p0-p1"'; then
      echo "  $target ($machine), $scen: NO ONE-FRAME HIT PASSED THE RULE BY read_fits (the scenario no longer tests it)" >&2
      fail=1
    fi
    if [ "$scen" = long-ids ] && ! grep -q '"camera":"bxl-rin~' "$run/host/hits.jsonl"; then
      echo "  $target ($machine), $scen: NO HIT NAMES A FOLDED CAMERA (the scenario no longer tests it)" >&2
      fail=1
    fi
    # The micro:bit's held frames are in play on its generated stream: the
    # host without them writes other frames.
    if [ "$scen" = gen-mb ]; then
      "$hitgate" replay --reads "$dir/reads.jsonl" --lists "$dir/lists.csv" --out "$run/host-unheld" \
        --frames --quiet --passages "$passages" --suppression "$suppression" --cameras "$cameras" --held-frames 0 >/dev/null
      if same_frames "$run/frames.bin" "$run/host-unheld/hits.frames"; then
        echo "  $target ($machine), $scen: THE HELD FRAMES CHANGED NOTHING (the scenario no longer tests them)" >&2
        fail=1
      else
        echo "  $target ($machine), $scen: without held frames the host writes other frames"
      fi
    fi
  done
  # An image signed with another key: refused at boot, with the reason.
  [ "$target" = thumbv6m-none-eabi ] && continue
  run="$work/run-$target-foreign"
  mkdir -p "$run"
  raw_key "$work/zone.key.pub" > "$run/trust.key"
  sign "$work/basic" 1 "$work/basic/lists.csv" "$run/lists.hgsb" "$work/other.key"
  cp "$work/run-$target-basic/reads.bin" "$run/"
  if (cd "$run" && timeout 300 qemu-system-arm -cpu "$cpu" -machine "$machine" -nographic \
    -semihosting-config enable=on,target=native -kernel "$elf" >"$run/log" 2>&1); then
    echo "  $target ($machine): AN IMAGE SIGNED WITH ANOTHER KEY WAS TAKEN" >&2
    fail=1
  elif grep -q "lists.hgsb refused: signed with a key this unit does not trust" "$run/log"; then
    echo "  $target ($machine): an image signed with another key is refused"
  else
    echo "  $target ($machine), foreign key: unexpected failure:" >&2
    sed 's/^/    /' "$run/log" >&2
    fail=1
  fi
done
# The instruction-counting plugin builds and counts: one start and one end
# mark around the image's verification, the build of its lists, and each
# of the 16 reads of the fixture (numbers: measure.sh).
gcc -O2 -shared -fPIC -Wall -Wextra -Werror -o "$work/libinsncount.so" "$here/plugin/insncount.c"
elf="$CARGO_TARGET_DIR/thumbv7em-none-eabihf/release/hitgate-qemu-unit"
start=0x$(nm "$elf" | awk '$3=="hitgate_read_marker"{print $1}')
end=0x$(nm "$elf" | awk '$3=="hitgate_read_done"{print $1}')
run="$work/run-thumbv7em-none-eabihf-basic"
(cd "$run" && timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native \
  -plugin "$work/libinsncount.so,start=$start,end=$end,out=$run/counts.txt,profile=$run/profile.txt,skip=2" \
  -kernel "$elf" >/dev/null 2>&1)
marks=$(grep -c '^[SE] [0-9]' "$run/counts.txt" || true)
if [ "$marks" = 36 ]; then
  echo "  instruction-counting plugin: the verification, the build and 16 reads counted"
else
  echo "  instruction-counting plugin: expected 36 marks, got $marks" >&2
  fail=1
fi
# Its profile (measure.sh, PROFILE=1) holds the blocks run during the 16
# reads: as many instructions as the marks count for them.
if python3 - "$run/counts.txt" "$run/profile.txt" <<'PY'
import sys
counts, profile = sys.argv[1:3]
marks = [l.split() for l in open(counts) if l[0] in "SE"]
reads = sum(int(e[1]) - int(s[1]) for s, e in zip(marks[4::2], marks[5::2]))
blocks = sum(int(n) * int(r) for _, n, r in (l.split() for l in open(profile)))
print(f"  instruction-counting plugin's profile: {blocks} instructions in blocks, {reads} between the reads' marks")
sys.exit(0 if blocks == reads and reads > 0 else 1)
PY
then :; else
  echo "  instruction-counting plugin's profile does not add up to the marks" >&2
  fail=1
fi
exit $fail
