#!/usr/bin/env bash
# s3share beside the tools people use today, on the same S3 server, in one run:
# upload and download (1 GiB, 64 MiB), full listing of 100,000 keys, and presigning.
#
#   bench/compare.sh [RUNS]          (default 3 runs per tool and case; writes BENCHMARKS.md)
#
# Server: the project's own store (`s3share serve`), or any server given by S3SHARE_TEST_ENDPOINT,
# S3SHARE_TEST_ACCESS_KEY, S3SHARE_TEST_SECRET_KEY, S3SHARE_TEST_REGION and S3SHARE_TEST_BUCKET
# (Garage is a good real one: ../shared/tools/garage.sh; BENCH_SERVER names it in the report).
# Peers are installed from the registries: awscli and boto3 (pip), rclone (Debian). Tools alternate
# run by run, each after a `sync`; medians and ratios are reported.
# The criterion presign bench runs too. BENCHMARKS.md is rewritten up to the line
# "<!-- end of bench/compare.sh output -->"; what follows it (the window's figures) is kept.
set -euo pipefail
RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/s3share-bench}
OUT=${BENCH_OUT:-$ROOT/BENCHMARKS.md}
mkdir -p "$WORK"

# --- tools ---------------------------------------------------------------------------------
command -v rclone >/dev/null || { apt-get update -qq && apt-get install -y -qq rclone >/dev/null; }
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
python3 -c 'import boto3' 2>/dev/null || pip install -q boto3
command -v aws >/dev/null || pip install -q awscli
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
(cd "$ROOT" && cargo build --release --quiet)
BIN=$TARGET/release/s3share

# --- server --------------------------------------------------------------------------------
if [ -n "${S3SHARE_TEST_ENDPOINT:-}" ]; then
  export AWS_ENDPOINT_URL=$S3SHARE_TEST_ENDPOINT AWS_ACCESS_KEY_ID=$S3SHARE_TEST_ACCESS_KEY
  export AWS_SECRET_ACCESS_KEY=$S3SHARE_TEST_SECRET_KEY AWS_REGION=$S3SHARE_TEST_REGION
  BUCKET=${S3SHARE_TEST_BUCKET:?set S3SHARE_TEST_BUCKET too}
  SERVER="${BENCH_SERVER:-an external server} at $AWS_ENDPOINT_URL"
else
  "$BIN" serve --dir "$WORK/store" --addr 127.0.0.1:0 > "$WORK/serve.env" 2>/dev/null &
  SERVE_PID=$!
  trap 'kill $SERVE_PID 2>/dev/null' EXIT
  for _ in $(seq 50); do [ "$(wc -l < "$WORK/serve.env")" -ge 4 ] && break; sleep 0.1; done
  set -a; . "$WORK/serve.env"; set +a
  BUCKET=shared
  SERVER="s3share's own store (\`s3share serve\`: s3s-fs 0.14 under a key index) at $AWS_ENDPOINT_URL"
fi
export AWS_DEFAULT_REGION=$AWS_REGION
export RCLONE_CONFIG_B_TYPE=s3 RCLONE_CONFIG_B_PROVIDER=Other RCLONE_CONFIG_B_ENDPOINT=$AWS_ENDPOINT_URL
export RCLONE_CONFIG_B_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_B_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export RCLONE_CONFIG_B_REGION=$AWS_REGION RCLONE_CONFIG_B_FORCE_PATH_STYLE=true
rclone() { env -u AWS_CA_BUNDLE rclone "$@"; }   # rclone 1.60 refuses this machine's AWS_CA_BUNDLE

# --- data ----------------------------------------------------------------------------------
[ -f "$WORK/1g.bin" ] || head -c $((1 << 30)) /dev/urandom > "$WORK/1g.bin"
[ -f "$WORK/64m.bin" ] || head -c $((64 << 20)) /dev/urandom > "$WORK/64m.bin"
KEYS=${BENCH_KEYS:-100000}
if ! "$BIN" ls "s3://$BUCKET/list/done-$KEYS" 2>/dev/null | grep -q "done-$KEYS"; then
  echo "seeding $KEYS small objects (once)…" >&2
  rm -rf "$WORK/many" && mkdir -p "$WORK/many"
  (cd "$WORK/many" && seq -f "k%07g" 1 "$KEYS" | xargs touch)
  rclone copy --transfers 64 --checkers 64 "$WORK/many" "b:$BUCKET/list/keys" >&2
  echo done > "$WORK/done-$KEYS" && "$BIN" put --overwrite "$WORK/done-$KEYS" "s3://$BUCKET/list/" >/dev/null
fi

# --- measuring -----------------------------------------------------------------------------
RESULTS=$WORK/results.tsv; : > "$RESULTS"
# Uploads go to keys new to this run (rclone skips a copy whose target already matches, which would
# time nothing) and are deleted at the end.
UP=up-$(date +%s)
# measure CASE TOOL COMMAND…: wall seconds and peak memory (KiB) of one run
# Dirty pages of the previous run (a 1 GiB file just written) are flushed first, so no tool pays
# for another's writeback: without this the download medians swung by up to 2x.
measure() {
  local case=$1 tool=$2; shift 2
  sync
  /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" > /dev/null 2> "$WORK/err.out" \
    || { echo "FAILED: $case $tool: $(tail -3 "$WORK/err.out")" >&2; return 0; }
  read -r secs kib < "$WORK/time.out"
  printf '%s\t%s\t%s\t%s\n' "$case" "$tool" "$secs" "$kib" >> "$RESULTS"
}

for size in 1g 64m; do
  file=$WORK/$size.bin
  for run in $(seq "$RUNS"); do
    tools=(s3share aws rclone curl)
    for i in 0 1 2 3; do
      tool=${tools[$(( (i + run) % 4 ))]}
      key=$UP/$size-$tool-$run
      case $tool in
        s3share) measure "upload $size" s3share "$BIN" put --overwrite "$file" "s3://$BUCKET/$key" ;;
        aws) measure "upload $size" "aws s3 cp" aws --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --quiet "$file" "s3://$BUCKET/$key" ;;
        rclone) measure "upload $size" "rclone copyto" env -u AWS_CA_BUNDLE rclone copyto "$file" "b:$BUCKET/$key" ;;
        curl) url=$("$BIN" link --put "s3://$BUCKET/$key" --expires 1h)
              measure "upload $size" "curl -T (one stream)" curl -sS --fail -T "$file" "$url" ;;
      esac
    done
  done
  src=$UP/$size-s3share-1
  for run in $(seq "$RUNS"); do
    tools=(s3share aws rclone curl)
    for i in 0 1 2 3; do
      tool=${tools[$(( (i + run) % 4 ))]}
      dest=$WORK/down-$tool.bin; rm -f "$dest"
      case $tool in
        s3share) measure "download $size" s3share "$BIN" get --overwrite "s3://$BUCKET/$src" "$dest" ;;
        aws) measure "download $size" "aws s3 cp" aws --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --quiet "s3://$BUCKET/$src" "$dest" ;;
        rclone) measure "download $size" "rclone copyto" env -u AWS_CA_BUNDLE rclone copyto "b:$BUCKET/$src" "$dest" ;;
        curl) url=$("$BIN" link "s3://$BUCKET/$src" --expires 1h)
              measure "download $size" "curl (one stream)" curl -sS --fail -o "$dest" "$url" ;;
      esac
      cmp -s "$dest" "$WORK/$size.bin" || echo "MISMATCH: $tool download $size" >&2
    done
  done
done

for run in $(seq "$RUNS"); do
  tools=(s3share aws rclone)
  for i in 0 1 2; do
    tool=${tools[$(( (i + run) % 3 ))]}
    case $tool in
      s3share) measure "list $KEYS keys" s3share "$BIN" ls --recursive "s3://$BUCKET/list/keys/" ;;
      aws) measure "list $KEYS keys" "aws s3 ls --recursive" aws --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive "s3://$BUCKET/list/keys/" ;;
      rclone) measure "list $KEYS keys" "rclone lsf -R" env -u AWS_CA_BUNDLE rclone lsf -R "b:$BUCKET/list/keys" ;;
    esac
  done
done
"$BIN" ls --recursive "s3://$BUCKET/list/keys/" | wc -l | xargs -I{} echo "s3share listed {} keys" >&2
aws --endpoint-url "$AWS_ENDPOINT_URL" s3 rm --quiet --recursive "s3://$BUCKET/$UP/"

BOTO3=$(python3 "$ROOT/bench/boto3_presign.py")
PEERS="$(aws --version 2>&1 | cut -d' ' -f1), $(rclone version | head -1), $(curl --version | head -1 | cut -d' ' -f1-2), boto3 $(python3 -c 'import boto3; print(boto3.__version__)')"
(cd "$ROOT" && cargo bench --quiet --bench presign >&2)

# --- report --------------------------------------------------------------------------------
TARGET=$TARGET PEERS=$PEERS python3 - "$RESULTS" "$OUT" "$SERVER" "$RUNS" "$BOTO3" <<'PY'
import statistics, sys, platform, os, subprocess, collections
results, out, server, runs, boto3 = sys.argv[1:]
rows = collections.defaultdict(lambda: collections.defaultdict(list))
order = []
for line in open(results):
    case, tool, secs, kib = line.rstrip("\n").split("\t")
    if case not in order: order.append(case)
    rows[case][tool].append((float(secs), int(kib)))
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = ["# Benchmarks", "",
  f"Measured by `bench/compare.sh` on {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
  f"against {server}, over loopback. Median of {runs} runs per tool, tools alternating run by run. "
  "Ratio: the tool's median over s3share's (above 1 means s3share is faster). Peak memory from `/usr/bin/time -v`. "
  f"Peers: {os.environ['PEERS']}; s3share release build.", ""]
for case in order:
    lines += [f"## {case}", "", "| tool | median (s) | runs (s) | ratio to s3share | peak memory (MB) |", "|---|---|---|---|---|"]
    ours = statistics.median(s for s, _ in rows[case].get("s3share", [(float('nan'), 0)]))
    for tool, samples in rows[case].items():
        med = statistics.median(s for s, _ in samples)
        mem = max(k for _, k in samples) / 1024
        ratio = med / ours if ours else float('nan')
        lines.append(f"| {tool} | {med:.2f} | {' '.join(f'{s:.2f}' for s, _ in samples)} | {ratio:.2f} | {mem:.0f} |")
    lines.append("")
import json
def criterion(name):
    try:
        est = json.load(open(os.path.join(os.environ["TARGET"], "criterion", name, "new", "estimates.json")))
        return est["median"]["point_estimate"]
    except OSError:
        return None
one, folder = criterion("presign one GET link"), criterion("share a folder/1,000 GET links")
lines += ["## Presigning", "", f"- {boto3.replace(chr(10), chr(10) + '- ')}"]
if one and folder:
    lines.append(f"- s3share (criterion, `cargo bench --bench presign`): {one / 1e3:.1f} µs per link; 1,000 links for a folder: {folder / 1e6:.1f} ms")
else:
    lines.append("- s3share: run `cargo bench --bench presign` before this script to include its figures")
lines.append("")
# What follows the marker (figures kept by hand, e.g. the window's) survives a new run.
MARK = "<!-- end of bench/compare.sh output -->"
try:
    kept = open(out).read().split(MARK, 1)[1]
except (OSError, IndexError):
    kept = "\n"
lines.append(MARK)
open(out, "w").write("\n".join(lines) + kept)
print("\n".join(lines))
PY
