// The eval protocol without LibTorch: a one-factor data set whose "image" is the factor value, and a representation
// function that rotates (y, 0) by a fixed angle. MIG and local MIG follow from the definitions:
//  - angle 0: z0 = y (a bijection of the factor: I(z0; y) = H(y) once every value falls in its own bin) and z1 = 0
//    (a constant code is one bin: I(z1; y) = 0), so the gap is H(y) and MIG = H/H = 1, in every local cluster too;
//  - angle 30°: z0 = cos·y and z1 = sin·y are both increasing affine maps of y, so their histograms are the same
//    partition of y and I(z0; y) = I(z1; y): the gap is 0, MIG = 0 and local MIG = 0.
// Bins: a factor of 10 values (spacing 1/9 of the range) in 20 bins, and local windows of ≤ 7 values (ρ = 0.3,
// r = floor(10·0.3) = 3) in 20 local bins, never share a bin (no value lies on an interior edge).
#include <cmath>
#include <sstream>

#include "datasets/ground_truth.hpp"
#include "datasets/representation.hpp"
#include "src/core/error.hpp"
#include "src/pipelines/eval_protocol.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

namespace {

using namespace axial;

class OneFactorData final : public datasets::GroundTruthData {
 public:
  std::string name() const override { return "one-factor"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  datasets::ObservationShape observation_shape() const override { return {1, 1, 1}; }
  void observations(const FactorMatrix& f, float* out) const override {
    for (Eigen::Index i = 0; i < f.cols(); ++i) out[i] = static_cast<float>(f(0, i)) / 9.0f;
  }

 private:
  std::vector<std::string> names_ = {"y"};
  std::vector<std::int64_t> sizes_ = {10};
};

class Rotation final : public datasets::RepresentationFunction {
 public:
  explicit Rotation(double degrees) : c_(std::cos(degrees * M_PI / 180)), s_(std::sin(degrees * M_PI / 180)) {}
  int probe(const float*, std::int64_t, const datasets::ObservationShape& shape) override {
    if (shape.size() != 1) throw Error("Rotation: one pixel per image expected");
    return 2;
  }
  void encode(const float* images, std::int64_t n, double* out, std::int64_t) override {
    for (std::int64_t i = 0; i < n; ++i) {
      const double y = std::round(double(images[i]) * 9.0);  // the factor value
      out[2 * i] = c_ * y;
      out[2 * i + 1] = s_ * y;
    }
    ++calls;
  }
  int latent_dim() const override { return 2; }
  Precision precision() const override { return Precision::Float64; }
  std::string device() const override { return "cpu"; }
  std::string note() const override { return ""; }
  int calls = 0;

 private:
  double c_, s_;
};

pipelines::EvalSettings small_settings(const test::TempDir& tmp) {
  pipelines::EvalSettings s;
  s.dataset = "one-factor";
  s.out = tmp / "eval";
  s.num_train = 400;
  s.num_test = 100;
  s.clusters = 4;
  s.cluster_size = 300;
  s.localities = {0.3, 1.0};
  s.local_bins = 20;
  s.anchors = 0;
  s.metrics = {"mig"};
  s.quiet = true;
  s.threads = 1;
  return s;
}

nlohmann::json evaluate(double degrees, const pipelines::EvalSettings& s) {
  pipelines::ModelRef ref;
  ref.path = "rotation";
  ref.type = "test-rotation";
  auto load = [degrees](const pipelines::ModelRef&) {
    pipelines::LoadedModel m;
    m.encoder = std::make_unique<Rotation>(degrees);
    return m;
  };
  std::ostringstream progress;
  OneFactorData data;
  return pipelines::run_eval(s, data, ref, load, progress).results;
}

}  // namespace

TEST_CASE("eval protocol, no LibTorch: unrotated codes give MIG 1 and local MIG 1") {
  test::TempDir tmp;
  const auto r = evaluate(0.0, small_settings(tmp));
  CHECK(r["metrics"]["mig"].get<double>() == doctest::Approx(1.0).epsilon(1e-12));
  REQUIRE(r["local"].size() == 2);
  for (const auto& e : r["local"]) CHECK(e["local_mig"].get<double>() == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(r["model"]["type"] == "test-rotation");
  CHECK(r["model"]["latent_dim"] == 2);
  CHECK(r["images_encoded"] == 400 + 100 + 2 * 4 * 300);
}

TEST_CASE("eval protocol, no LibTorch: codes rotated by 30 degrees give MIG 0 and local MIG 0") {
  test::TempDir tmp;
  const auto r = evaluate(30.0, small_settings(tmp));
  CHECK(std::abs(r["metrics"]["mig"].get<double>()) < 1e-12);
  for (const auto& e : r["local"]) CHECK(std::abs(e["local_mig"].get<double>()) < 1e-12);
  CHECK(std::filesystem::is_regular_file(tmp / "eval" / "results.json"));
  CHECK(std::filesystem::is_regular_file(tmp / "eval" / "results.csv"));
}

TEST_CASE("eval protocol: one latent is refused before any encoding, naming what needs two") {
  class OneLatent final : public datasets::RepresentationFunction {
   public:
    explicit OneLatent(int* calls) : calls_(calls) {}
    int probe(const float*, std::int64_t, const datasets::ObservationShape&) override { return 1; }
    void encode(const float*, std::int64_t, double*, std::int64_t) override { ++*calls_; }
    int latent_dim() const override { return 1; }
    Precision precision() const override { return Precision::Float64; }
    std::string device() const override { return "cpu"; }
    std::string note() const override { return ""; }

   private:
    int* calls_;
  };
  test::TempDir tmp;
  auto s = small_settings(tmp);
  int calls = 0;
  auto load = [&calls](const pipelines::ModelRef&) {
    pipelines::LoadedModel m;
    m.encoder = std::make_unique<OneLatent>(&calls);
    return m;
  };
  std::ostringstream progress;
  OneFactorData data;
  pipelines::ModelRef ref;
  ref.encoder = "one-latent.pt";
  const std::string msg = test::error_of([&] { pipelines::run_eval(s, data, ref, load, progress); });
  CHECK(msg == "encoder 'one-latent.pt': 1 latent(s); MIG and local MIG need at least 2");
  CHECK(calls == 0);
  CHECK_FALSE(std::filesystem::exists(tmp / "eval"));
}

namespace {
// Two factors of 10 values holding only the combinations with y0 + y1 even (a subset): every ±1 stencil neighbour
// has odd parity, so none exists.
class EvenSubset final : public datasets::GroundTruthData {
 public:
  EvenSubset() {
    rows_.resize(2, 50);
    Eigen::Index c = 0;
    for (int a = 0; a < 10; ++a)
      for (int b = 0; b < 10; ++b)
        if ((a + b) % 2 == 0) {
          rows_(0, c) = a;
          rows_(1, c) = b;
          ++c;
        }
  }
  std::string name() const override { return "even-subset"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  datasets::ObservationShape observation_shape() const override { return {1, 2, 1}; }
  void observations(const FactorMatrix& f, float* out) const override {
    for (Eigen::Index i = 0; i < f.cols(); ++i) {
      if ((f(0, i) + f(1, i)) % 2 != 0) throw Error("EvenSubset: that combination does not exist");
      out[2 * i] = static_cast<float>(f(0, i)) / 9.0f;
      out[2 * i + 1] = static_cast<float>(f(1, i)) / 9.0f;
    }
  }
  const FactorMatrix* existing_rows() const override { return &rows_; }

 private:
  std::vector<std::string> names_ = {"a", "b"};
  std::vector<std::int64_t> sizes_ = {10, 10};
  FactorMatrix rows_;
};

class Identity2 final : public datasets::RepresentationFunction {
 public:
  int probe(const float*, std::int64_t, const datasets::ObservationShape&) override { return 2; }
  void encode(const float* images, std::int64_t n, double* out, std::int64_t) override {
    for (std::int64_t i = 0; i < 2 * n; ++i) out[i] = std::round(double(images[i]) * 9.0);
  }
  int latent_dim() const override { return 2; }
  Precision precision() const override { return Precision::Float64; }
  std::string device() const override { return "cpu"; }
  std::string note() const override { return ""; }
};
}  // namespace

TEST_CASE("eval protocol: on a subset whose stencil neighbours do not exist, axis alignment is skipped with the "
          "reason before any encoding") {
  test::TempDir tmp;
  pipelines::EvalSettings s = small_settings(tmp);
  s.clusters = 0;
  s.anchors = 7;
  s.cutoff = 2;
  EvenSubset data;
  pipelines::ModelRef ref;
  ref.type = "identity";
  auto load = [](const pipelines::ModelRef&) {
    pipelines::LoadedModel m;
    m.encoder = std::make_unique<Identity2>();
    return m;
  };
  std::ostringstream progress;
  const auto r = pipelines::run_eval(s, data, ref, load, progress).results;
  CHECK(r["metrics"]["axis_alignment"].is_null());
  const std::string reason = r["metrics"]["axis_alignment_undefined_reason"].get<std::string>();
  // 7 anchors × 2 factors × (lo, hi) = 28 neighbours; each changes one factor by ±1 (parity odd: missing) except at
  // a border, where the one-sided stencil's end is the anchor itself.
  CHECK(reason.find(" of 28 stencil neighbours of the 7 anchors do not exist") != std::string::npos);
  CHECK(r["images_encoded"] == 400 + 100);  // the neighbours were never rendered
  CHECK(r["metrics"]["mig"].is_number());
}

namespace {
// The rotation representation that fails once `limit` images have been encoded (a run killed part-way), and counts.
class FailingRotation final : public datasets::RepresentationFunction {
 public:
  FailingRotation(std::int64_t limit, std::int64_t* encoded) : limit_(limit), encoded_(encoded) {}
  int probe(const float* x, std::int64_t n, const datasets::ObservationShape& s) override { return r_.probe(x, n, s); }
  void encode(const float* images, std::int64_t n, double* out, std::int64_t first) override {
    if (*encoded_ + n > limit_) throw Error("simulated failure");
    r_.encode(images, n, out, first);
    *encoded_ += n;
  }
  int latent_dim() const override { return 2; }
  Precision precision() const override { return Precision::Float64; }
  std::string device() const override { return "cpu"; }
  std::string note() const override { return ""; }

 private:
  Rotation r_{30.0};
  std::int64_t limit_;
  std::int64_t* encoded_;
};
}  // namespace

TEST_CASE("eval protocol: a run stopped part-way leaves its finished stages marked partial, and --resume continues "
          "to the same numbers without re-encoding them") {
  test::TempDir tmp;
  pipelines::EvalSettings s = small_settings(tmp);
  s.batch_size = 100;
  OneFactorData data;
  pipelines::ModelRef ref;
  ref.type = "rotation";
  std::ostringstream progress;
  std::int64_t encoded = 0;
  // The global stage is 400 + 100 images; the first locality's 4 × 300 fail part-way.
  auto failing = [&](const pipelines::ModelRef&) {
    pipelines::LoadedModel m;
    m.encoder = std::make_unique<FailingRotation>(500 + 600, &encoded);
    return m;
  };
  CHECK(test::error_of([&] { pipelines::run_eval(s, data, ref, failing, progress); }) == "simulated failure");
  CHECK_FALSE(std::filesystem::exists(tmp / "eval" / "results.json"));
  const auto partial = nlohmann::json::parse(test::slurp(tmp / "eval" / "results.partial.json"));
  CHECK(partial["partial"] == true);
  CHECK(partial["completed_stages"] == nlohmann::json::array({"global"}));
  CHECK(partial["metrics"]["mig"].is_number());
  // Resume: only the stages not finished are encoded (2 localities × 4 clusters × 300 points).
  encoded = 0;
  s.resume = true;
  auto counting = [&](const pipelines::ModelRef&) {
    pipelines::LoadedModel m;
    m.encoder = std::make_unique<FailingRotation>(1 << 30, &encoded);
    return m;
  };
  const auto resumed = pipelines::run_eval(s, data, ref, counting, progress).results;
  CHECK(encoded == 2 * 4 * 300);
  CHECK_FALSE(std::filesystem::exists(tmp / "eval" / "results.partial.json"));
  // The same numbers as one uninterrupted run.
  test::TempDir fresh_dir;
  pipelines::EvalSettings f = small_settings(fresh_dir);
  f.batch_size = 100;
  const auto fresh = pipelines::run_eval(f, data, ref, counting, progress).results;
  CHECK(resumed["metrics"] == fresh["metrics"]);
  CHECK(resumed["local"] == fresh["local"]);
  CHECK(resumed["images_encoded"] == fresh["images_encoded"]);
  // A partial file from other settings is not continued.
  s.seed = 9;
  std::ofstream(tmp / "eval" / "results.partial.json") << partial.dump();
  CHECK(test::error_of([&] { pipelines::run_eval(s, data, ref, counting, progress); })
            .find("was made with another model, data set, seed or settings") != std::string::npos);
}
