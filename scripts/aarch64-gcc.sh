#!/usr/bin/env bash
# Linker driver for a NativeAOT linux-arm64 publish on an x64 Debian/Ubuntu machine with gcc-aarch64-linux-gnu
# (scripts/arm64-smoke.sh with ARM64_AOT=1; D29). ILCompiler adds clang's --target=aarch64-linux-gnu when it
# cross-compiles; the Debian cross gcc is already that target and rejects the option, so it is dropped here.
args=()
for a in "$@"; do [[ $a == --target=* ]] || args+=("$a"); done
exec aarch64-linux-gnu-gcc "${args[@]}"
