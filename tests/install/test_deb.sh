#!/usr/bin/env bash
# `cpack -G DEB` on the build, inspected with dpkg-deb: the package's Depends are exactly the `libraries` of
# scripts/setup (without LibTorch's two when built without it), and it holds the executables, the libraries and
# headers, the CMake package, the pkg-config file and the Python module.
# Usage: test_deb.sh BUILD_DIR SOURCE_DIR WITH_TORCH(ON|OFF) WITH_PYTHON(ON|OFF)
set -euo pipefail
build=$1 src=$2 torch=$3 python=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" > "$tmp/cpack.log") \
  || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/*.deb)
echo "package: $(basename "$deb")"

expected=$(sed -n '/^libraries=(/,/^)/p' "$src/scripts/setup" | sed '1d;$d;s/#.*//' | tr -s ' \n' '\n' | sed '/^$/d')
if [[ $torch != ON ]]; then expected=$(grep -v -x -e libtorch-dev -e libopenblas0-openmp <<<"$expected"); fi
depends=$(dpkg-deb -f "$deb" Depends | tr -d ' ' | tr ',' '\n')
if [[ $(sort <<<"$expected") != $(sort <<<"$depends") ]]; then
  echo "FAIL: Depends differ from scripts/setup's libraries"
  diff <(sort <<<"$expected") <(sort <<<"$depends") || true
  exit 1
fi
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
[[ $(dpkg-deb -f "$deb" Package) == axial ]] || { echo "FAIL: package name"; exit 1; }

dpkg-deb -c "$deb" | awk '{print $NF}' > "$tmp/contents"
want=(./usr/bin/axial ./usr/lib/libaxial_metrics.a ./usr/lib/libaxial_datasets.a ./usr/lib/libaxial_core.a
      ./usr/lib/libaxial_pipelines.a ./usr/lib/libaxial_reports.a ./usr/include/axial/metrics/registry.hpp
      ./usr/include/axial/datasets/representation.hpp ./usr/lib/cmake/axial/axialConfig.cmake
      ./usr/lib/pkgconfig/axial.pc)
[[ $torch == ON ]] && want+=(./usr/bin/axial-torch)
for f in "${want[@]}"; do
  grep -q -x -F "$f" "$tmp/contents" || { echo "FAIL: $f not in the package"; exit 1; }
done
if [[ $python == ON ]]; then
  grep -q -E '^\./usr/lib/python3/dist-packages/axial\..*\.so$' "$tmp/contents" \
    || { echo "FAIL: the Python module is not in the package"; exit 1; }
fi
echo "$(wc -l < "$tmp/contents") entries; deb test passed"
