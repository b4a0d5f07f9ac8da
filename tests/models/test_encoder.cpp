// models/encoder: TorchScript encoders as representation functions. The modules are written here with
// torch::jit::Module::define(), so every expected value follows from the TorchScript source in the test.
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/core/error.hpp"
#include "models/encoder.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

namespace {

using axial::datasets::ObservationShape;
using axial::models::Encoder;

const ObservationShape kShape{64, 64, 1};

// A module with parameter `w` and the given forward source, saved to dir/name.
std::filesystem::path save_module(const std::filesystem::path& dir, const std::string& name, const torch::Tensor& w,
                                  const std::string& forward_source) {
  torch::jit::Module m("TestEncoder");
  m.register_parameter("w", w, false);
  m.define(forward_source);
  auto path = dir / name;
  m.save(path.string());
  return path;
}

// n images (N,64,64,1) with pixel (i, r, c) = ((i + 1)·(r + 2c) mod 101) / 100, in [0, 1].
std::vector<float> test_images(int n) {
  std::vector<float> x(static_cast<size_t>(n) * 64 * 64);
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < 64; ++r)
      for (int c = 0; c < 64; ++c) x[(i * 64 + r) * 64 + c] = static_cast<float>(((i + 1) * (r + 2 * c)) % 101) / 100.f;
  return x;
}

// The mean pixel of image i of test_images.
double images_mean(const std::vector<float>& x, int i) {
  double sum = 0;
  for (int p = 0; p < 64 * 64; ++p) sum += x[static_cast<std::size_t>(i * 64 * 64 + p)];
  return sum / (64 * 64);
}

using axial::test::error_of;

}  // namespace

TEST_CASE("encoder: a linear TorchScript map of pixels gives W·x") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  torch::manual_seed(3);
  auto w = torch::randn({3, 64 * 64}) * 0.01;
  auto path = save_module(dir.path, "linear.pt", w, R"(
def forward(self, x):
    return x.flatten(1).matmul(self.w.t())
)");
  Encoder enc(path, "cpu");
  auto images = test_images(5);
  CHECK(enc.probe(images.data(), 2, kShape) == 3);
  CHECK(enc.latent_dim() == 3);
  CHECK(enc.note().empty());
  std::vector<double> codes(5 * 3);
  enc.encode(images.data(), 5, codes.data());
  // Expected in double: z_il = Σ_p w_lp x_ip (float32 inside the module: tolerance 1e-4).
  auto wa = w.accessor<float, 2>();
  for (int i = 0; i < 5; ++i)
    for (int l = 0; l < 3; ++l) {
      double z = 0;
      for (int p = 0; p < 64 * 64; ++p) z += double(wa[l][p]) * images[i * 4096 + p];
      CHECK(codes[i * 3 + l] == doctest::Approx(z).epsilon(1e-4));
    }
}

TEST_CASE("encoder: input layout is (N,C,H,W) — channel c of pixel (r,c) reaches the module's dim 1") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  // forward returns [mean over channel 0, mean over channel 1, x[:,1,0,0]] for a 2-channel 4×2 image.
  auto path = save_module(dir.path, "layout.pt", torch::zeros({1}), R"(
def forward(self, x):
    return torch.stack([x[:, 0].mean(dim=[1, 2]), x[:, 1].mean(dim=[1, 2]), x[:, 1, 3, 0]], dim=1)
)");
  Encoder enc(path, "cpu");
  // One image (H=4, W=2, C=2) stored (H,W,C): channel 0 = 0.25 everywhere, channel 1 = row index / 10.
  ObservationShape shape{4, 2, 2};
  std::vector<float> img(4 * 2 * 2);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 2; ++c) {
      img[(r * 2 + c) * 2 + 0] = 0.25f;
      img[(r * 2 + c) * 2 + 1] = r / 10.f;
    }
  REQUIRE(enc.probe(img.data(), 1, shape) == 3);
  std::vector<double> z(3);
  enc.encode(img.data(), 1, z.data());
  CHECK(z[0] == doctest::Approx(0.25));
  CHECK(z[1] == doctest::Approx((0 + 1 + 2 + 3) / 40.0));
  CHECK(z[2] == doctest::Approx(0.3));
}

TEST_CASE("encoder: a tuple output is used only when its code element is unambiguous or chosen") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto path = save_module(dir.path, "tuple.pt", torch::zeros({1}), R"(
def forward(self, x):
    m = x.mean(dim=[2, 3])
    return (torch.cat([m, 2.0 * m], dim=1), m - 1.0)
)");
  auto images = test_images(2);
  {
    Encoder enc(path, "cpu");
    const std::string msg = error_of([&] { enc.probe(images.data(), 2, kShape); });
    CHECK(msg.find("ambiguous") != std::string::npos);
    CHECK(msg.find("--output-index") != std::string::npos);
  }
  axial::models::EncoderOptions o;
  o.output_index = 0;
  Encoder chosen(path, o);
  CHECK(chosen.probe(images.data(), 2, kShape) == 2);
  CHECK(chosen.note().find("element 0 is used as the code (--output-index)") != std::string::npos);
  o.output_index = 1;
  Encoder second(path, o);
  CHECK(second.probe(images.data(), 2, kShape) == 1);
  o.output_index = 2;
  Encoder none(path, o);
  CHECK(error_of([&] { none.probe(images.data(), 2, kShape); }).find("--output-index 2") != std::string::npos);
  // One tensor among other values is unambiguous.
  auto single = save_module(dir.path, "single.pt", torch::zeros({1}), R"(
def forward(self, x):
    return (x.mean(dim=[2, 3]), 3)
)");
  Encoder enc1(single, "cpu");
  CHECK(enc1.probe(images.data(), 2, kShape) == 1);
  CHECK(enc1.note().find("only tensor (element 0)") != std::string::npos);
}

TEST_CASE("encoder: a dict output is read by mu/mean/z_mean or --output-key, a stochastic output is refused") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto images = test_images(2);
  auto dict = save_module(dir.path, "dict.pt", torch::zeros({1}), R"(
def forward(self, x):
    m = x.mean(dim=[2, 3])
    return {"logvar": m * 0.0, "mu": m + 1.0}
)");
  Encoder by_name(dict, "cpu");
  CHECK(by_name.probe(images.data(), 2, kShape) == 1);
  CHECK(by_name.note().find("'mu' entry") != std::string::npos);
  std::vector<double> z(2);
  by_name.encode(images.data(), 2, z.data());
  CHECK(z[0] == doctest::Approx(1.0 + images_mean(images, 0)));
  axial::models::EncoderOptions o;
  o.output_key = "logvar";
  Encoder by_key(dict, o);
  by_key.probe(images.data(), 2, kShape);
  by_key.encode(images.data(), 2, z.data());
  CHECK(z[0] == 0.0);
  auto noisy = save_module(dir.path, "noisy.pt", torch::zeros({1}), R"(
def forward(self, x):
    m = x.mean(dim=[2, 3])
    return m + torch.randn_like(m)
)");
  Encoder sampled(noisy, "cpu");
  CHECK(error_of([&] { sampled.probe(images.data(), 2, kShape); }).find("stochastic") != std::string::npos);
}

TEST_CASE("encoder: --method, --input-range, --input-layout and float64 weights") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto images = test_images(2);
  // encode() of a module whose forward would fail; weights in float64.
  auto path = save_module(dir.path, "vae.pt", torch::ones({1}, torch::kFloat64), R"(
def forward(self, x):
    return x.sum() * self.w
def encode(self, x):
    return x.mean(dim=[2, 3]) * self.w
)");
  axial::models::EncoderOptions o;
  o.method = "encode";
  o.input_range = "-1,1";
  Encoder enc(path, o);
  CHECK(enc.probe(images.data(), 2, kShape) == 1);
  std::vector<double> z(2);
  enc.encode(images.data(), 2, z.data());
  CHECK(z[0] == doctest::Approx(2.0 * images_mean(images, 0) - 1.0));  // the encoder saw x·2 − 1
  o.method = "decode";
  CHECK(error_of([&] { Encoder bad(path, o); }).find("--method 'decode'") != std::string::npos);
  o.method = "forward";
  o.input_range = "0,9";
  CHECK(error_of([&] { Encoder bad(path, o); }).find("--input-range '0,9'") == 0);
  // An NHWC encoder fed NCHW is diagnosed with the option that fixes it.
  auto nhwc = save_module(dir.path, "nhwc.pt", torch::ones({1}), R"(
def forward(self, x):
    assert x.size(3) == 1
    return x.mean(dim=[1, 2])
)");
  Encoder wrong(nhwc, "cpu");
  CHECK(error_of([&] { wrong.probe(images.data(), 2, kShape); }).find("--input-layout nhwc") != std::string::npos);
  axial::models::EncoderOptions l;
  l.input_layout = "nhwc";
  Encoder right(nhwc, l);
  CHECK(right.probe(images.data(), 2, kShape) == 1);
}

TEST_CASE("encoder: a torch.save() pickle gets how to export TorchScript") {
  axial::test::TempDir dir;
  {
    std::ofstream f(dir / "state.pt", std::ios::binary);
    f << std::string("\x80\x02}q\x00.", 6);  // a pickle stream, as torch.save(state_dict) of old writes
  }
  CHECK(error_of([&] { Encoder e(dir / "state.pt", "cpu"); }).find("torch.jit.script(model).save") !=
        std::string::npos);
}

TEST_CASE("encoder probe: wrong channel count is named") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto path = save_module(dir.path, "rgb.pt", torch::ones({4, 3, 4, 4}), R"(
def forward(self, x):
    return torch.conv2d(x, self.w, stride=[2, 2]).flatten(1)
)");
  Encoder enc(path, "cpu");
  auto images = test_images(2);
  auto msg = error_of([&] { enc.probe(images.data(), 2, kShape); });
  CHECK(msg.find("rgb.pt") != std::string::npos);
  CHECK(msg.find("wrong channel count: the encoder expects 3 channel(s), the data set's images have 1") !=
        std::string::npos);
}

TEST_CASE("encoder probe: wrong image size is named") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto path = save_module(dir.path, "small.pt", torch::ones({2, 32 * 32}), R"(
def forward(self, x):
    return x.flatten(1).matmul(self.w.t())
)");
  Encoder enc(path, "cpu");
  auto images = test_images(2);
  auto msg = error_of([&] { enc.probe(images.data(), 2, kShape); });
  CHECK(msg.find("wrong image size: the encoder accepts 32x32 images") != std::string::npos);
}

TEST_CASE("encoder probe: output rank, row count, NaN codes") {
  torch::set_num_threads(1);
  axial::test::TempDir dir;
  auto images = test_images(3);
  SUBCASE("rank 3") {
    auto path = save_module(dir.path, "r3.pt", torch::zeros({1}), R"(
def forward(self, x):
    return x[:, 0, :, :]
)");
    Encoder enc(path, "cpu");
    auto msg = error_of([&] { enc.probe(images.data(), 3, kShape); });
    CHECK(msg.find("output has rank 3 (shape (3,64,64))") != std::string::npos);
  }
  SUBCASE("rank 1") {
    auto path = save_module(dir.path, "r1.pt", torch::zeros({1}), R"(
def forward(self, x):
    return x.flatten(1).sum(1)
)");
    Encoder enc(path, "cpu");
    CHECK(error_of([&] { enc.probe(images.data(), 3, kShape); }).find("output has rank 1") != std::string::npos);
  }
  SUBCASE("wrong number of rows") {
    auto path = save_module(dir.path, "rows.pt", torch::zeros({1}), R"(
def forward(self, x):
    return x.flatten(1)[0:1, 0:4]
)");
    Encoder enc(path, "cpu");
    CHECK(error_of([&] { enc.probe(images.data(), 3, kShape); }).find("output has 1 rows for 3 input images") !=
          std::string::npos);
  }
  SUBCASE("NaN codes") {
    auto path = save_module(dir.path, "nan.pt", torch::zeros({1}), R"(
def forward(self, x):
    return (x.flatten(1)[:, 0:4] - 2.0).log()
)");
    Encoder enc(path, "cpu");
    auto msg = error_of([&] { enc.probe(images.data(), 3, kShape); });
    CHECK(msg.find("non-finite code") != std::string::npos);
    CHECK(msg.find("probe image 0, latent 0") != std::string::npos);
  }
  SUBCASE("not a tensor") {
    auto path = save_module(dir.path, "int.pt", torch::zeros({1}), R"(
def forward(self, x):
    return 3
)");
    Encoder enc(path, "cpu");
    CHECK(error_of([&] { enc.probe(images.data(), 3, kShape); }).find("expected a tensor of codes") !=
          std::string::npos);
  }
}

TEST_CASE("encoder: missing and corrupt files are axial::Error naming the file") {
  axial::test::TempDir dir;
  CHECK(error_of([&] { Encoder(dir / "nope.pt", "cpu"); }).find("nope.pt': file not found") != std::string::npos);
  {
    std::ofstream(dir / "junk.pt") << "not a zip";
  }
  CHECK(error_of([&] { Encoder(dir / "junk.pt", "cpu"); }).find("junk.pt': not a loadable TorchScript module") !=
        std::string::npos);
  CHECK(error_of([&] { Encoder(dir.path, "cpu"); }).find("is a directory") != std::string::npos);
}
