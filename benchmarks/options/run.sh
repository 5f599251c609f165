#!/usr/bin/env bash
# Builds and runs benchmarks/options/step-products.cc (issue 20's options table): OpenBLAS is
# required; BLIS (libblis.so.4/3, loaded at run time) and libxsmm (Debian's static libxsmm-dev) are
# measured when installed. Run it alone on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
flags=()
if [ -f /usr/include/libxsmm.h ] && [ -f /usr/lib/libxsmm.a ]; then flags=(-DWITH_LIBXSMM -lxsmm -lxsmmnoblas); fi
g++ -O2 -std=c++17 -o "$out/step-products" "$here/step-products.cc" -lopenblas -ldl -lpthread "${flags[@]}" 2>"$out/build.log" || {
  echo "libxsmm build failed ($(tail -1 "$out/build.log")); measuring without it" >&2
  g++ -O2 -std=c++17 -o "$out/step-products" "$here/step-products.cc" -lopenblas -ldl -lpthread
}
"$out/step-products" "${1:-15}"
