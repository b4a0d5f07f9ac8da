"""Tests of the Python module `axial` (python/axial_module.cpp), run by CTest with /usr/bin/python3:

    PYTHONPATH=build/python AXIAL_BINARY=build/src/axial /usr/bin/python3 -m unittest -v tests/python/test_axial.py

Each function is compared with the CLI command it mirrors on the same arrays (written to files here), and a few
values are derived by hand from the definitions (MIG of exactly independent factors, three-dots pixels).
"""
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np

import axial

AXIAL = os.environ.get("AXIAL_BINARY", "axial")
# Provenance that differs between a file and in-memory arrays by construction (the file name and its hash, and the
# wall time); every other key and value must be equal.
FILE_KEYS = {"input", "input_sha256", "clusters", "clusters_sha256", "elapsed_seconds"}


def run_cli(*args, expect_rc=0):
    p = subprocess.run([AXIAL, *args], capture_output=True, text=True)
    if p.returncode != expect_rc:
        raise AssertionError(f"axial {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p


def cli_score(tmp, codes, factors, *options):
    path = os.path.join(tmp, "codes.npz")
    np.savez(path, codes=codes, factors=factors)
    return json.loads(run_cli("score", "--codes", path, "--format", "json", *options).stdout)


def random_case(rng, n, l, k, dtype):
    factors = rng.integers(0, 7, size=(n, k))
    mix = rng.normal(size=(k, l))
    codes = (factors @ mix + 0.3 * rng.normal(size=(n, l))).astype(dtype)
    return codes, factors


class ScoreTest(unittest.TestCase):
    def assert_same_as_cli(self, py, cli):
        self.assertEqual(list(py.keys()), list(cli.keys()))  # same keys, same order
        for key in cli:
            if key not in FILE_KEYS:
                self.assertEqual(py[key], cli[key], key)

    def test_equals_cli_on_random_arrays(self):
        rng = np.random.default_rng(1234)
        with tempfile.TemporaryDirectory() as tmp:
            for dtype in (np.float32, np.float64):
                codes, factors = random_case(rng, 600, 5, 3, dtype)
                py = axial.score(codes, factors)
                self.assertEqual(py["codes_dtype"], np.dtype(dtype).name)
                self.assert_same_as_cli(py, cli_score(tmp, codes, factors))
            codes, factors = random_case(rng, 500, 4, 2, np.float64)
            py = axial.score(codes, factors, metrics=("mig", "sap"), bins=7, num_train=321)
            self.assert_same_as_cli(py, cli_score(tmp, codes, factors, "--metrics", "mig,sap", "--bins", "7",
                                                  "--num-train", "321"))
            py = axial.score(codes, factors, metrics="explicitness", train_fraction=0.5, discretizer="quantile")
            self.assert_same_as_cli(py, cli_score(tmp, codes, factors, "--metrics", "explicitness",
                                                  "--train-fraction", "0.5", "--discretizer", "quantile"))

    def test_layouts_and_dtypes_give_the_same_values(self):
        rng = np.random.default_rng(7)
        codes, factors = random_case(rng, 400, 4, 3, np.float64)
        ref = axial.score(codes, factors)
        variants = [
            (np.asfortranarray(codes), factors.astype(np.int32)),
            (codes, np.asfortranarray(factors).astype(np.uint8)),
            (codes[::1, :], factors.astype(np.float64)),  # float labels that are exact integers
            (np.repeat(codes, 2, axis=1)[:, ::2], factors),  # a strided view
            (codes.tolist(), factors.tolist()),  # lists: converted by np.asarray
        ]
        for c, f in variants:
            got = axial.score(c, f)
            for key in ref:
                if key not in FILE_KEYS:
                    self.assertEqual(got[key], ref[key], key)
        got = axial.score(codes.T.copy(), factors.T.copy(), layout="codes-by-points")
        self.assertEqual(got["mig"], ref["mig"])
        self.assertEqual(got["layout"], "codes-by-points")

    def test_hand_derived_mig(self):
        # Two factors of 4 values on a full grid (exactly independent), 5 copies of each of the 16 rows.
        y = np.array([(a, b) for a in range(4) for b in range(4)] * 5)
        # z = y with 4 bins: every value its own bin, so I(z_j; y_j) = H(y_j) = ln 4 and I(z_i; y_j) = 0 (i != j):
        # the gap is ln 4 for both factors, MIG = 1; each latent informs one factor only: modularity = 1.
        r = axial.score(y.astype(np.float64), y, metrics=("mig", "modularity"), bins=4)
        self.assertAlmostEqual(r["mig"], 1.0, places=12)
        self.assertAlmostEqual(r["modularity"], 1.0, places=12)
        self.assertAlmostEqual(r["factor_entropy"][0], math.log(4), places=12)
        # Both latents copy y0: y0's gap is 0 and y1 is in neither (gap 0): MIG = 0.
        z = np.stack([y[:, 0], y[:, 0]], axis=1).astype(np.float64)
        self.assertAlmostEqual(axial.score(z, y, metrics="mig", bins=4)["mig"], 0.0, places=12)

    def test_score_local_equals_cli(self):
        rng = np.random.default_rng(99)
        clusters = [random_case(rng, 80, 3, 2, np.float32) for _ in range(3)]
        clusters[1] = (clusters[1][0], np.zeros_like(clusters[1][1]))  # constant factors: undefined cluster MIG
        py = axial.score_local(clusters, local_bins=4)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "clusters.npz")
            members = {}
            for i, (c, f) in enumerate(clusters):
                members[f"codes_{i}"], members[f"factors_{i}"] = c, f
            np.savez(path, **members)
            cli = json.loads(run_cli("score", "--clusters", path, "--local-bins", "4").stdout)
        self.assertEqual(list(py.keys()), list(cli.keys()))
        for key in cli:
            if key not in FILE_KEYS:
                self.assertEqual(py[key], cli[key], key)
        self.assertIsNone(py["local_mig_per_cluster"][1])

    def test_errors_are_value_errors_with_the_cli_message(self):
        rng = np.random.default_rng(3)
        codes, factors = random_case(rng, 50, 3, 2, np.float64)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.npz")
            np.savez(path, codes=codes, factors=factors)
            for py_kwargs, cli_args in [({"bins": 0}, ["--bins", "0"]),
                                        ({"metrics": "mig,nope"}, ["--metrics", "mig,nope"]),
                                        ({"num_train": 50}, ["--num-train", "50"]),
                                        ({"discretizer": "kmeans"}, ["--discretizer", "kmeans"])]:
                cli = run_cli("score", "--codes", path, *cli_args, expect_rc=2).stderr.strip()
                with self.assertRaises(ValueError) as e:
                    axial.score(codes, factors, **py_kwargs)
                message = str(e.exception)
                self.assertTrue(cli.startswith("axial: error: "), cli)
                # The message is the CLI's, with the array source named instead of the file.
                self.assertEqual(message.replace("'<arrays>'", f"'{path}'"), cli[len("axial: error: "):])
        bad = codes.copy()
        bad[7, 1] = np.nan
        with self.assertRaisesRegex(ValueError, "non-finite value nan at row 7, column 1"):
            axial.score(bad, factors)
        with self.assertRaisesRegex(ValueError, "float16"):
            axial.score(codes.astype(np.float16), factors)
        with self.assertRaisesRegex(ValueError, "not an integer"):
            axial.score(codes, factors + 0.5)
        with self.assertRaisesRegex(ValueError, "look like"):
            axial.score(codes.T, factors.T)
        self.assertTrue(issubclass(axial.Error, ValueError))

    def test_gil_is_released_while_scoring(self):
        # With a 2 s switch interval the main thread does not hand the GIL over by itself during a ~0.2 s call: the
        # other thread runs during the call only if the C++ work releases the GIL.
        rng = np.random.default_rng(5)
        codes, factors = random_case(rng, 40000, 10, 6, np.float64)
        ticks = []
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                ticks.append(1)
                stop.wait(0.0002)

        old = sys.getswitchinterval()
        sys.setswitchinterval(2.0)
        t = threading.Thread(target=ticker)
        try:
            t.start()
            stop.wait(0.01)
            before = len(ticks)
            axial.score(codes, factors, metrics=("mig", "modularity"), threads=1)
            during = len(ticks) - before
        finally:
            stop.set()
            t.join()
            sys.setswitchinterval(old)
        self.assertGreater(during, 0)  # the other thread ran while C++ scored


class DataTest(unittest.TestCase):
    def test_three_dots_bit_identical_to_data_generate(self):
        import h5py
        rng = np.random.default_rng(11)
        rows = rng.integers(0, 64, size=(40, 6))
        rows[0] = [0, 0, 63, 63, 31, 17]
        images = axial.three_dots(rows)
        self.assertEqual(images.shape, (40, 64, 64, 1))
        self.assertEqual(images.dtype, np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "rows.csv")
            np.savetxt(csv, rows, fmt="%d", delimiter=",", header="x0,y0,x1,y1,x2,y2", comments="")
            out = os.path.join(tmp, "rows.h5")
            run_cli("data", "generate", "three-dots", "--factors", csv, "--out", out, "--quiet")
            with h5py.File(out, "r") as f:
                self.assertTrue(np.array_equal(f["factors"][:], rows))
                cli = f["images"][:]
        self.assertEqual(cli.dtype, np.float32)
        self.assertTrue(np.array_equal(images.view(np.uint32), cli.view(np.uint32)))  # bit for bit
        # By hand: dot 0 centred at the top-left pixel (black), dot 2 at column 31, row 17; the opposite corner
        # region far from every dot is white.
        self.assertEqual(images[0, 0, 0, 0], 0.0)
        self.assertEqual(images[0, 17, 31, 0], 0.0)
        self.assertEqual(images[0, 0, 63, 0], 1.0)
        self.assertTrue(np.array_equal(axial.observations("three-dots", rows), images))
        with self.assertRaisesRegex(ValueError, "outside 0..63"):
            axial.three_dots(np.array([[0, 0, 0, 0, 0, 64]]))
        with self.assertRaisesRegex(ValueError, "expected 6"):
            axial.three_dots(np.zeros((2, 5), dtype=np.int64))

    def test_sample_equals_data_generate_and_data_sample(self):
        import h5py
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "g.h5")
            run_cli("data", "generate", "three-dots", "--num", "50", "--seed", "7", "--out", out, "--quiet")
            with h5py.File(out, "r") as f:
                cli = f["factors"][:]
            rows = axial.sample("three-dots", 50, seed=7)
            self.assertEqual(rows.dtype, np.int64)
            self.assertTrue(np.array_equal(rows, cli))
            self.assertFalse(np.array_equal(axial.sample("three-dots", 50, seed=8), cli))
            self.assertTrue(np.array_equal(axial.sample("three-dots", np.int32(50), seed=np.uint64(7)), cli))
            out = os.path.join(tmp, "s.h5")
            run_cli("data", "sample", "three-dots", "--locality", "0.2", "--clusters", "3", "--num", "20", "--seed",
                    "5", "--deny", "y2", "--out", out, "--quiet")
            local = axial.sample_local("three-dots", 0.2, 3, 20, seed=5, deny=["y2"])
            self.assertEqual(local.shape, (3, 20, 6))
            with h5py.File(out, "r") as f:
                for c in range(3):
                    self.assertTrue(np.array_equal(local[c], f[f"cluster_{c}/factors"][:]))
                    # By hand: y2 is held at the centroid; the others stay within floor(64 * 0.2) = 12 of it.
                    centroid = f[f"cluster_{c}"].attrs["centroid"]
                    self.assertTrue(np.all(local[c][:, 5] == centroid[5]))
                    self.assertTrue(np.all(np.abs(local[c] - centroid) <= 12))
        with self.assertRaisesRegex(ValueError, r"--locality 1.5 is outside \(0, 1\]"):
            axial.sample_local("three-dots", 1.5, 1, 10)
        with self.assertRaisesRegex(ValueError, "--seed -1 is invalid"):
            axial.sample("three-dots", 5, seed=-1)
        with self.assertRaisesRegex(ValueError, "unknown"):
            axial.sample("no-such-data", 5)


def encoder(images):
    """A fixed, deterministic representation: 4 codes per image from its darkness along columns and rows."""
    dark = 1.0 - images[..., 0].astype(np.float64)  # (B, 64, 64)
    pos = np.arange(64, dtype=np.float64)
    mass = dark.sum(axis=(1, 2)) + 1.0
    cx = (dark.sum(axis=1) * pos).sum(axis=1) / mass
    cy = (dark.sum(axis=2) * pos).sum(axis=1) / mass
    return np.stack([cx, cy, dark[:, :32].sum(axis=(1, 2)) / mass, dark[:, :, :32].sum(axis=(1, 2)) / mass],
                    axis=1).astype(np.float32)


class EvaluateTest(unittest.TestCase):
    SIZES = dict(num_train=300, num_test=100, clusters=2, cluster_size=150, localities=[0.3, 1.0], anchors=8,
                 batch_size=64)

    def test_python_encoder_end_to_end(self):
        import h5py
        calls, lines = [], []

        def recorded(images):
            calls.append((images.shape, images.dtype, float(images.min()), float(images.max())))
            return encoder(images)

        with tempfile.TemporaryDirectory() as tmp:
            out, dump = os.path.join(tmp, "eval"), os.path.join(tmp, "dump.h5")
            res = axial.evaluate(recorded, "three-dots", "quick", seed=3, out=out, dump_samples=dump,
                                 progress=lines.append, **self.SIZES)
            with open(os.path.join(out, "results.json")) as f:
                self.assertEqual(json.load(f), res)  # the dict is results.json
            self.assertEqual(res["protocol"], "custom")  # sizes differ from the quick protocol's
            self.assertEqual(res["seed"], 3)
            self.assertEqual(res["model"]["type"], "python")
            self.assertEqual(res["model"]["code_dtype"], "float32")
            self.assertEqual(res["model"]["latent_dim"], 4)
            self.assertEqual(res["model"]["path"], "python:EvaluateTest.test_python_encoder_end_to_end.<locals>.recorded")
            for key in ("num_train", "num_test", "clusters", "cluster_size", "anchors", "batch_size"):
                self.assertEqual(res["settings"][key], self.SIZES[key], key)
            self.assertEqual([e["locality"] for e in res["local"]], [0.3, 1.0])
            for key in ("mig", "modularity", "explicitness_test", "axis_alignment"):
                self.assertIsInstance(res["metrics"][key], float, key)
            # The callable saw float32 (B, 64, 64, 1) batches in [0, 1], never more than batch_size images.
            self.assertTrue(all(s[1:] == (64, 64, 1) and 1 <= s[0] <= 64 for s, _, _, _ in calls))
            self.assertTrue(all(d == np.float32 and lo >= 0.0 and hi <= 1.0 for _, d, lo, hi in calls))
            expected_images = 4 + 300 + 100 + 2 * 2 * 150 + 8 * 2 * 6
            self.assertEqual(sum(s[0] for s, _, _, _ in calls), expected_images)
            self.assertEqual(res["images_encoded"], expected_images - 4)  # the 4 probe images are not counted
            self.assertTrue(any("encoded" in line for line in lines), lines)
            # The dumped sample: its codes are the encoder on three_dots(factors), and `axial score` on its training
            # rows gives the results' MIG and modularity exactly.
            with h5py.File(dump, "r") as f:
                factors, codes = f["factors"][:], f["codes"][:]
            self.assertEqual(factors.shape, (400, 6))
            np.testing.assert_allclose(codes, encoder(axial.three_dots(factors)), rtol=1e-6, atol=1e-6)
            cli = json.loads(run_cli("score", "--codes", dump, "--rows", "train", "--metrics", "mig,modularity").stdout)
            self.assertEqual(cli["mig"], res["metrics"]["mig"])
            self.assertEqual(cli["modularity"], res["metrics"]["modularity"])
            # Same seed, same numbers; another seed, other samples.
            again = axial.evaluate(encoder, "three-dots", "quick", seed=3, quiet=True, **self.SIZES)
            self.assertEqual(again["metrics"], res["metrics"])
            self.assertEqual(again["local"], res["local"])
            other = axial.evaluate(encoder, "three-dots", "quick", seed=4, quiet=True, **self.SIZES)
            self.assertNotEqual(other["metrics"]["mig"], res["metrics"]["mig"])
            with self.assertRaisesRegex(ValueError, "already holds results.json"):
                axial.evaluate(encoder, out=out, quiet=True, **self.SIZES)

    def test_pytorch_conventions(self):
        # A model that takes (B, C, H, W) and returns (z_sample, mu, logvar), as many PyTorch VAEs do: the same codes
        # as `encoder` once output_index=1 picks mu and input_layout="nchw" hands it channels first.
        small = dict(self.SIZES, clusters=2, anchors=0)
        base = axial.evaluate(encoder, "three-dots", "quick", seed=1, quiet=True, **small)

        def vae(x):
            self.assertEqual(x.shape[1:], (1, 64, 64))
            mu = encoder(np.transpose(x, (0, 2, 3, 1)))
            return mu + 1.0, mu, np.zeros_like(mu)

        res = axial.evaluate(vae, "three-dots", "quick", seed=1, quiet=True, input_layout="nchw", output_index=1,
                             device="cpu", **small)
        self.assertEqual(res["metrics"], base["metrics"])
        self.assertEqual(res["local"], base["local"])
        self.assertEqual(res["settings"]["encoder"]["input_layout"], "nchw")
        self.assertEqual(res["settings"]["encoder"]["output_index"], 1)
        self.assertEqual(res["settings"]["device"], "cpu")
        with self.assertRaisesRegex(ValueError, "ambiguous"):
            axial.evaluate(vae, quiet=True, input_layout="nchw", **small)
        res = axial.evaluate(lambda x: {"mu": encoder(x), "logvar": 0}, "three-dots", "quick", seed=1, quiet=True,
                             **small)
        self.assertEqual(res["metrics"], base["metrics"])
        seen = []
        axial.evaluate(lambda x: seen.append((x.min(), x.max())) or encoder((x + 1) / 2), quiet=True,
                       input_range="-1,1", **small)
        self.assertEqual(min(lo for lo, _ in seen), -1.0)
        with self.assertRaisesRegex(ValueError, "--input-layout 'chw'"):
            axial.evaluate(encoder, input_layout="chw", **small)

    def test_protocol_sizes_and_errors(self):
        with self.assertRaisesRegex(ValueError, r"--protocol 'nope': unknown protocol \(valid: paper, quick, cpu, dlib\)"):
            axial.evaluate(encoder, protocol="nope")
        with self.assertRaisesRegex(ValueError, "--num-train 1: must be at least 2"):
            axial.evaluate(encoder, num_train=1)
        with self.assertRaisesRegex(ValueError, r"--localities: 1.5 is outside \(0, 1\]"):
            axial.evaluate(encoder, localities=[0.1, 1.5])
        small = dict(self.SIZES, clusters=0, anchors=0)
        with self.assertRaisesRegex(ValueError, r"returned shape \(4,\)"):
            axial.evaluate(lambda x: np.zeros(len(x), np.float32), quiet=True, **small)
        with self.assertRaisesRegex(ValueError, "dtype int64"):
            axial.evaluate(lambda x: np.zeros((len(x), 3), np.int64), quiet=True, **small)

        def nan_after_probe(x):
            z = encoder(x)
            if len(x) != 4:
                z[1, 2] = np.nan
            return z

        with self.assertRaisesRegex(ValueError, "non-finite code nan"):
            axial.evaluate(nan_after_probe, quiet=True, **small)

        def failing(x):
            raise RuntimeError("model exploded")

        with self.assertRaisesRegex(RuntimeError, "model exploded"):  # the callable's own exception, unchanged
            axial.evaluate(failing, quiet=True, **small)
        captured = io.StringIO()
        with contextlib.redirect_stderr(captured):  # progress goes to Python's sys.stderr unless quiet
            res = axial.evaluate(encoder, "three-dots", "quick", metrics=["mig"], **small)
        self.assertIn("axial eval: ", captured.getvalue())
        self.assertEqual(res["settings"]["metrics"], ["mig"])
        self.assertNotIn("modularity", res["metrics"])
        self.assertEqual(res["local"], [])

    def test_sampled_metrics(self):
        # FactorVAE / BetaVAE scores of a callable, their sizes as keywords; the same numbers for the same seed.
        small = dict(self.SIZES, clusters=0, anchors=0, factor_vae_variance_points=200, factor_vae_train_votes=20,
                     factor_vae_eval_votes=10, beta_vae_train_points=30, beta_vae_eval_points=10, pair_batch_size=8)
        res = axial.evaluate(encoder, "three-dots", "quick", seed=2, quiet=True,
                             metrics=["mig", "factor_vae", "beta_vae"], **small)
        self.assertEqual(res["settings"]["factor_vae_train_votes"], 20)
        for key in ("factor_vae_train_accuracy", "factor_vae_eval_accuracy", "beta_vae_train_accuracy",
                    "beta_vae_eval_accuracy"):
            self.assertGreaterEqual(res["metrics"][key], 0.0)
            self.assertLessEqual(res["metrics"][key], 1.0)
        again = axial.evaluate(encoder, "three-dots", "quick", seed=2, quiet=True,
                               metrics="mig,factor_vae,beta_vae", **small)
        self.assertEqual(again["metrics"], res["metrics"])
        with self.assertRaisesRegex(ValueError, "--pair-batch-size 1: must be at least 2"):
            axial.evaluate(encoder, quiet=True, metrics=["factor_vae"], pair_batch_size=1, **self.SIZES)


if __name__ == "__main__":
    unittest.main()
