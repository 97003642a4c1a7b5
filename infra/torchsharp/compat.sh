#!/usr/bin/env bash
# Makes TorchSharp's native library loadable on hosts whose C++ runtime predates GCC 13's
# (Debian 12: libstdc++ up to GLIBCXX_3.4.30). libLibTorchSharp.so (TorchSharp 0.107.0) needs
# exactly one symbol of GLIBCXX_3.4.32, std::ios_base_library_init(), which GCC 13 only references
# to initialise <iostream>. On such hosts this script writes, into OUT_DIR:
#   libLibTorchSharp.so    a copy of the package's library (checked against its pinned SHA-256)
#                          whose GLIBCXX_3.4.32 requirement is renamed to GLIBCXX_3.4.30, with that
#                          symbol unversioned and libstdcxx_ios_init.so added as a dependency;
#   libstdcxx_ios_init.so  the symbol, defined as GCC 12 initialises the streams;
#   compat.sha256          both files' hashes, which the build checks before it copies them.
# The NuGet package cache is never modified; the build (infra/torchsharp/TorchSharpNative.targets)
# puts the two files where TorchSharp loads its native files, for build and publish alike.
# On hosts whose libstdc++ has GLIBCXX_3.4.32 (Debian 13, Ubuntu 24.04) it removes OUT_DIR and does nothing.
#   usage: compat.sh NUGET_PACKAGES_DIR OUT_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGES="$1"
OUT="$2"
SOURCE="$PACKAGES/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so"
SOURCE_SHA256=cf33b1b0bb6bbb9754a768fb5c5d04d9f498603be50e73f55621a0b40ee608b8

log() { printf '[compat] %s\n' "$*" >&2; }

# The C++ runtime the loader would give TorchSharp (awk reads all of ldconfig's output: no SIGPIPE under pipefail).
libstdcxx="$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 \(libc6,x86-64\)/ && !found {print $NF; found = 1}')" || true
libstdcxx="${libstdcxx:-/usr/lib/x86_64-linux-gnu/libstdc++.so.6}"
if grep -qa 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
  log "$libstdcxx has GLIBCXX_3.4.32: TorchSharp loads as shipped, no compatibility step"
  rm -rf "$OUT"
  exit 0
fi

if [ -f "$OUT/compat.sha256" ] && (cd "$OUT" && sha256sum --quiet -c compat.sha256 >/dev/null 2>&1) \
   && [ "$OUT/libLibTorchSharp.so" -nt "$SOURCE" ] && [ "$OUT/libLibTorchSharp.so" -nt "$HERE/compat.sh" ]; then
  log "compatible TorchSharp native library already in ${OUT}"
  exit 0
fi

[ -f "$SOURCE" ] || { log "$SOURCE not found: restore the solution first (dotnet restore)"; exit 1; }
echo "$SOURCE_SHA256  $SOURCE" | sha256sum --quiet -c - || { log "$SOURCE does not have the pinned SHA-256 $SOURCE_SHA256"; exit 1; }
log "$libstdcxx predates GLIBCXX_3.4.32: building a compatible copy of libLibTorchSharp.so in ${OUT}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$work/elf_version_patch" "$HERE/elf_version_patch.c"
g++ -O2 -Wall -Wextra -Werror -shared -fPIC -o "$work/libstdcxx_ios_init.so" "$HERE/ios_base_library_init.cpp"
cp "$SOURCE" "$work/libLibTorchSharp.so"
chmod u+w "$work/libLibTorchSharp.so"
"$work/elf_version_patch" "$work/libLibTorchSharp.so" GLIBCXX_3.4.32 GLIBCXX_3.4.30 _ZSt21ios_base_library_initv >/dev/null
patchelf --add-needed libstdcxx_ios_init.so "$work/libLibTorchSharp.so"
mkdir -p "$OUT"
cp "$work/libLibTorchSharp.so" "$work/libstdcxx_ios_init.so" "$OUT/"
(cd "$OUT" && sha256sum libLibTorchSharp.so libstdcxx_ios_init.so > compat.sha256)
log "done"
