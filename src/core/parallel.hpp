#pragma once
// Tiny fork-join helper for the metric cores: runs body(i) for i in [0, n) on up to num_threads std::threads
// (dynamic assignment, so uneven tasks balance). Results must be written to per-index slots; the first exception
// thrown by any task is rethrown in the caller after all threads joined. Deterministic as long as body(i) only
// depends on i.
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace axial {

template <class Body>
void parallel_for(Eigen::Index n, int num_threads, Body&& body) {
  const int threads = static_cast<int>(std::max<Eigen::Index>(1, std::min<Eigen::Index>(num_threads, n)));
  if (threads <= 1) {
    for (Eigen::Index i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<Eigen::Index> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    for (;;) {
      const Eigen::Index i = next.fetch_add(1);
      if (i >= n) return;
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(n);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// Number of hardware threads (≥ 1).
inline int hardware_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace axial
