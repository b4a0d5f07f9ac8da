#!/usr/bin/python3
"""Dev-time check (not run by tests or CI): compare axial's three-dots images with the paper's OpenCV generator.

The reference is the paper's draw_dots_to_image_array (travers-rhodes/jlonevae, threeDots.py): cv2.circle with
shift=10 on a 640x640 float64 canvas, then cv2.resize(..., (64, 64), INTER_AREA), stored as float32.

Needs Debian's python3 with numpy, h5py and OpenCV (python3-opencv; checked with cv2 4.6):
  /usr/bin/python3 scripts/dev/check_three_dots.py --axial build/src/axial [--rows 1000] [--seed 0] [--all-positions]

Renders random factor rows (plus edge cases) with `axial data generate three-dots --factors rows.csv` and with the
reference, and prints mean/max |difference| and the number of differing pixels. --all-positions also renders every
one of the 64*64 dot positions (all three dots at the same place), which covers every dot axial can draw: images are
unions of dots, so agreement on every position and on the union rule means agreement on all 64^6 rows.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import h5py
import numpy as np


def paper_images(factors):
    out = np.zeros((len(factors), 64, 64, 1), dtype=np.float32)
    radius = int(64 * 0.08 * 10 * 2**10)
    for s, row in enumerate(factors):
        centres = row.reshape(3, 2) / 63
        canvas = np.ones((640, 640, 1))
        for c in centres:
            up = np.floor(64 * c * 10 * 2**10).astype(int)
            cv2.circle(canvas, tuple(int(v) for v in up), radius, color=0, thickness=-1, shift=10)
        out[s, :, :, 0] = cv2.resize(canvas, (64, 64), interpolation=cv2.INTER_AREA)
    return out


def axial_images(axial, factors, tmp):
    csv = os.path.join(tmp, "rows.csv")
    out = os.path.join(tmp, "rows.h5")
    with open(csv, "w") as f:
        f.write("x0,y0,x1,y1,x2,y2\n")
        for r in factors:
            f.write(",".join(str(int(v)) for v in r) + "\n")
    subprocess.run([axial, "data", "generate", "three-dots", "--factors", csv, "--out", out, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        assert (f["factors"][...] == factors).all()
        return f["images"][...]


def compare(name, ours, ref):
    d = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
    print(f"{name}: {len(ref)} images, mean |diff| {d.mean():.3g}, max |diff| {d.max():.3g}, "
          f"pixels differing {(ours != ref).sum()}, images differing {(ours != ref).reshape(len(ref), -1).any(1).sum()}")
    return d.mean() <= 0.0015 and d.max() <= 0.15, (ours == ref).all()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--axial", default="build/src/axial")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--all-positions", action="store_true")
    a = ap.parse_args()
    print("cv2", cv2.__version__)
    rng = np.random.RandomState(a.seed)
    rows = rng.randint(0, 64, size=(a.rows, 6))
    edge = np.array([[0, 0, 63, 63, 0, 63], [63, 0, 31, 31, 32, 32], [0, 0, 0, 0, 0, 0], [63, 63, 63, 63, 63, 63]])
    rows = np.concatenate([edge, rows])
    ok_bound, ok_exact = True, True
    with tempfile.TemporaryDirectory() as tmp:
        b, e = compare("random rows", axial_images(a.axial, rows, tmp), paper_images(rows))
        ok_bound &= b
        ok_exact &= e
        if a.all_positions:
            pos = np.array([[x, y, x, y, x, y] for y in range(64) for x in range(64)])
            b, e = compare("all 4096 dot positions", axial_images(a.axial, pos, tmp), paper_images(pos))
            ok_bound &= b
            ok_exact &= e
    print("required bound (mean <= 0.0015, max <= 0.15):", "met" if ok_bound else "NOT met")
    print("bit-exact:", "yes" if ok_exact else "no")
    return 0 if ok_bound else 1


if __name__ == "__main__":
    sys.exit(main())
