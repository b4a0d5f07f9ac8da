#!/usr/bin/env bash
# `cmake --install BUILD --prefix P`, then a project outside axial built against P with find_package(axial)
# (tests/install/consumer), the same program built with pkg-config's flags, the installed executable and the
# installed Python module. Usage: test_install.sh BUILD_DIR SOURCE_DIR PYTHON ("" = no Python module)
set -euo pipefail
build=$1 src=$2 python=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
for f in bin/axial lib/libaxial_metrics.a lib/libaxial_datasets.a lib/libaxial_pipelines.a \
         lib/cmake/axial/axialConfig.cmake lib/cmake/axial/axialTargets.cmake lib/pkgconfig/axial.pc \
         include/axial/metrics/registry.hpp include/axial/src/core/types.hpp include/axial/axial/version.hpp \
         include/axial/src/pipelines/eval_protocol.hpp; do
  [[ -e $prefix/$f ]] || { echo "FAIL: $f not installed"; exit 1; }
done
if grep -rl "torch/torch.h" "$prefix/include" >/dev/null; then echo "FAIL: an installed header includes LibTorch"; exit 1; fi
"$prefix/bin/axial" --version

# find_package(axial) from a separate project.
cmake -S "$src/tests/install/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" > "$tmp/consumer-configure.log" || { cat "$tmp/consumer-configure.log"; exit 1; }
cmake --build "$tmp/consumer" > "$tmp/consumer-build.log" || { cat "$tmp/consumer-build.log"; exit 1; }
out=$("$tmp/consumer/consumer")
echo "find_package consumer: $out"
[[ $out == "mig 1 three-dots factors 6" ]] || { echo "FAIL: unexpected output"; exit 1; }

# pkg-config (the .pc file is relocatable: its prefix is where it lies).
flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs axial)
g++ -std=c++17 -O1 "$src/tests/install/consumer/main.cpp" -o "$tmp/pc-consumer" $flags
out=$("$tmp/pc-consumer")
echo "pkg-config consumer: $out"
[[ $out == "mig 1 three-dots factors 6" ]] || { echo "FAIL: unexpected output"; exit 1; }

if [[ -n $python ]]; then
  PYTHONPATH=$prefix/lib/python3/dist-packages "$python" -c '
import axial, numpy as np
y = np.array([(a, b) for a in range(4) for b in range(4)])
r = axial.score(y.astype(float), y, metrics="mig", bins=4)
assert abs(r["mig"] - 1.0) < 1e-12, r["mig"]
assert axial.__file__.startswith("'"$prefix"'"), axial.__file__
print("installed python module:", axial.__file__, "mig", r["mig"])'
fi
echo "install test passed"
