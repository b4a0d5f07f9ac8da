#!/usr/bin/env python3
"""Writes the npy, npz, csv and JSON part of the committed seed corpus (tests/fuzz/corpus/<target>/), byte for byte
as numpy.save / numpy.savez(_compressed) / numpy.savetxt / `axial eval` write them, using only the standard library
(make_seeds.cpp writes the HDF5 seeds). Run once and commit the output:  python3 tests/fuzz/make_seeds.py tests/fuzz/corpus
"""
import json
import struct
import sys
import zipfile
from pathlib import Path


def npy(descr, shape, payload, fortran=False, version=(1, 0)):
    shape_text = "(" + "".join(f"{d}, " for d in shape)[:-2] + ("," if len(shape) == 1 else "") + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    prefix = 10 if version == (1, 0) else 12
    pad = 64 - (prefix + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    length = struct.pack("<H", len(header)) if version == (1, 0) else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes(version) + length + header.encode("latin1") + payload


def floats(values, fmt="<d"):
    return b"".join(struct.pack(fmt, v) for v in values)


def main(root):
    root = Path(root)
    for d in ("npy", "npz", "csv", "json"):
        (root / d).mkdir(parents=True, exist_ok=True)

    codes = [0.5 * ((j * 3) % 5) - 1.0 for j in range(12)]  # (6, 2)
    factors = [(j % 3) for j in range(12)]                  # (6, 2)
    arrays = {
        "f8_2d.npy": npy("<f8", (6, 2), floats(codes)),
        "f4_1d.npy": npy("<f4", (4,), floats([0.0, 1.5, -2.0, 3.25], "<f")),
        "i8_2d.npy": npy("<i8", (6, 2), b"".join(struct.pack("<q", v) for v in factors)),
        "u1_3d_v2.npy": npy("|u1", (2, 2, 3), bytes(range(12)), version=(2, 0)),
        "b1_scalar.npy": npy("|b1", (), b"\x01"),
        "f2_fortran.npy": npy("<f2", (2, 3), b"".join(struct.pack("<e", v) for v in range(6)), fortran=True),
        "i4_empty.npy": npy("<i4", (0, 3), b""),
        "u8_v3.npy": npy("<u8", (3,), b"".join(struct.pack("<Q", v) for v in (0, 1, 2**63)), version=(3, 0)),
    }
    for name, data in arrays.items():
        (root / "npy" / name).write_bytes(data)

    def savez(path, members, method):
        with zipfile.ZipFile(path, "w", compression=method) as z:
            for name, data in members.items():
                z.writestr(name + ".npy", data)

    pair = {"codes": arrays["f8_2d.npy"], "factors": arrays["i8_2d.npy"]}
    savez(root / "npz" / "codes_stored.npz", pair, zipfile.ZIP_STORED)
    savez(root / "npz" / "codes_deflated.npz", pair, zipfile.ZIP_DEFLATED)
    savez(root / "npz" / "mus_ys.npz", {"mus": arrays["f8_2d.npy"], "ys": arrays["i8_2d.npy"]}, zipfile.ZIP_STORED)
    savez(root / "npz" / "clusters.npz",
          {"codes_0": arrays["f8_2d.npy"], "factors_0": arrays["i8_2d.npy"],
           "codes_1": arrays["f8_2d.npy"], "factors_1": arrays["i8_2d.npy"]}, zipfile.ZIP_DEFLATED)
    savez(root / "npz" / "images.npz", {"imgs": arrays["u1_3d_v2.npy"], "latents_classes": arrays["i8_2d.npy"]},
          zipfile.ZIP_STORED)

    rows = [(codes[2 * j], codes[2 * j + 1], factors[2 * j], factors[2 * j + 1]) for j in range(6)]
    (root / "csv" / "header.csv").write_text(
        "z0,z1,y0,y1\n" + "".join(f"{a!r},{b!r},{c},{d}\n" for a, b, c, d in rows))
    (root / "csv" / "savetxt.csv").write_text(
        "# z0,z1,y0,y1\n" + "".join(f"{a:.18e},{b:.18e},{float(c):.18e},{float(d):.18e}\n" for a, b, c, d in rows))
    (root / "csv" / "headerless.csv").write_bytes(
        b"\x02" + "".join(f"{a},{b},{c},{d}\r\n" for a, b, c, d in rows).encode())

    results = {
        "axial_version": "0.1.0 (seed)", "git_commit": "seed", "kind": "eval",
        "model": {"path": "run", "encoder": "run/encoder.pt", "sha256": "0" * 64, "type": "axial-vae",
                  "latent_dim": 2, "code_dtype": "float32"},
        "dataset": "three-dots", "dataset_spec": "three-dots", "dataset_source": "default",
        "protocol": "paper", "seed": 3,
        "settings": {"num_train": 100, "num_test": 50, "bins": 20, "local_bins": 5, "clusters": 2,
                     "cluster_size": 10, "localities": [0.1, 1.0], "cutoff": 0.5, "deny": [],
                     "metrics": ["mig", "modularity"], "anchors": 1, "batch_size": 64, "device": "cpu",
                     "threads": 1, "mig_modularity_sample": "train"},
        "train_config": {"kind": "train", "options": {"seed": 1, "gamma": 0.1, "dataset": "three-dots"}},
        "metrics": {"mig": 0.25, "modularity": 0.75, "sap": None, "sap_undefined_reason": "seed"},
        "local": [{"locality": 0.1, "local_mig": 0.5, "local_modularity": 0.5, "centroids": [[0, 1], [1, 2]]}],
        "elapsed_s": {"encode": 0.5}, "images_encoded": 150,
    }
    (root / "json" / "results.json").write_text(json.dumps(results, indent=2))
    score = {"kind": "score", "input": "codes.npz", "input_sha256": "1" * 64, "num_bins": 20,
             "scores": {"mig": 0.1, "modularity": 0.9}}
    (root / "json" / "score.json").write_text(json.dumps(score))
    plan = {"name": "seed", "out": "runs", "grid": {"gamma": [0, 0.1]}, "seeds": [1, 2],
            "train": {"steps": 10, "dataset": "three-dots"}, "eval": {"protocol": "paper"}}
    (root / "json" / "plan.json").write_text(json.dumps(plan))
    (root / "json" / "plan.toml").write_text(
        'name = "seed"\nout = "runs"\nseeds = [1, 2]\n[grid]\ngamma = [0, 0.1]\n[train]\nsteps = 10\n')


if __name__ == "__main__":
    main(sys.argv[1])
