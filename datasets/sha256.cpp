#include "datasets/sha256.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "src/core/error.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AXIAL_SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace axial {

namespace {

const std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// The compression function over `blocks` 64-byte blocks, portable.
void compress_portable(std::uint32_t* state, const unsigned char* p, std::size_t blocks) {
  for (; blocks > 0; --blocks, p += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t(p[4 * i]) << 24) | (std::uint32_t(p[4 * i + 1]) << 16) |
             (std::uint32_t(p[4 * i + 2]) << 8) | std::uint32_t(p[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6],
                  h = state[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + S1 + ch + kRound[i] + w[i];
      const std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + S0 + mj;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

#ifdef AXIAL_SHA_X86
// The same with the SHA extensions: four rounds per two sha256rnds2, the message schedule by sha256msg1/msg2.
__attribute__((target("sha,sse4.1,ssse3"))) void compress_x86(std::uint32_t* state, const unsigned char* p,
                                                              std::size_t blocks) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));          // DCBA
  __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));       // HGFE
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                                              // CDAB
  s1 = _mm_shuffle_epi32(s1, 0x1B);                                                // EFGH
  __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                                        // ABEF
  s1 = _mm_blend_epi16(s1, tmp, 0xF0);                                             // CDGH
  for (; blocks > 0; --blocks, p += 64) {
    const __m128i abef = s0, cdgh = s1;
    __m128i m[4];
    for (int i = 0; i < 4; ++i)
      m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), bswap);
    for (int i = 0; i < 16; ++i) {
      __m128i msg = _mm_add_epi32(m[i & 3], _mm_loadu_si128(reinterpret_cast<const __m128i*>(kRound + 4 * i)));
      s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
      // Words 4(i+1)..4(i+1)+3 of the schedule, from words i−1 and i (before the msg1 below changes word group i−1).
      if (i >= 3 && i <= 14) {
        __m128i& next = m[(i + 1) & 3];  // already holds sha256msg1 of groups i−3, i−2
        next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(m[i & 3], m[(i - 1) & 3], 4)), m[i & 3]);
      }
      msg = _mm_shuffle_epi32(msg, 0x0E);
      s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
      if (i >= 1 && i <= 12) m[(i - 1) & 3] = _mm_sha256msg1_epu32(m[(i - 1) & 3], m[i & 3]);
    }
    s0 = _mm_add_epi32(s0, abef);
    s1 = _mm_add_epi32(s1, cdgh);
  }
  tmp = _mm_shuffle_epi32(s0, 0x1B);     // FEBA
  s1 = _mm_shuffle_epi32(s1, 0xB1);      // DCHG
  s0 = _mm_blend_epi16(tmp, s1, 0xF0);   // DCBA
  s1 = _mm_alignr_epi8(s1, tmp, 8);      // HGFE
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), s0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), s1);
}

bool cpu_has_sha() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = (c >> 9) & 1u, sse41 = (c >> 19) & 1u;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return ssse3 && sse41 && ((b >> 29) & 1u);
}
#endif

using Compress = void (*)(std::uint32_t*, const unsigned char*, std::size_t);

Compress best_compress() {
#ifdef AXIAL_SHA_X86
  static const Compress f = cpu_has_sha() ? compress_x86 : compress_portable;
  return f;
#else
  return compress_portable;
#endif
}

// Streaming SHA-256: whole blocks straight from the input, only a partial block buffered.
class Sha256 {
 public:
  explicit Sha256(Compress compress) : compress_(compress) {}
  void update(const unsigned char* data, std::size_t n) {
    bits_ += static_cast<std::uint64_t>(n) * 8;
    if (len_ > 0) {
      const std::size_t take = std::min(n, 64 - len_);
      std::memcpy(buf_ + len_, data, take);
      len_ += take;
      data += take;
      n -= take;
      if (len_ < 64) return;
      compress_(h_, buf_, 1);
      len_ = 0;
    }
    if (n >= 64) {
      compress_(h_, data, n / 64);
      data += n / 64 * 64;
      n %= 64;
    }
    std::memcpy(buf_, data, n);
    len_ = n;
  }
  std::string hex() {
    // Padding: 0x80, zeros to 56 mod 64, the message length in bits (big-endian).
    unsigned char tail[128] = {};
    std::memcpy(tail, buf_, len_);
    tail[len_] = 0x80;
    const std::size_t total = len_ + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; ++i) tail[total - 1 - static_cast<std::size_t>(i)] = static_cast<unsigned char>(bits_ >> (8 * i));
    compress_(h_, tail, total / 64);
    std::string out;
    for (const std::uint32_t v : h_) out += fmt::format("{:08x}", v);
    return out;
  }

 private:
  Compress compress_;
  std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char buf_[64] = {};
  std::size_t len_ = 0;
  std::uint64_t bits_ = 0;
};

std::string digest(const std::vector<std::pair<const void*, std::size_t>>& parts, Compress compress) {
  Sha256 s(compress);
  for (const auto& [data, size] : parts) s.update(static_cast<const unsigned char*>(data), size);
  return s.hex();
}

}  // namespace

std::string sha256_hex(const std::string& bytes) { return digest({{bytes.data(), bytes.size()}}, best_compress()); }

std::string sha256_hex(const std::vector<std::pair<const void*, std::size_t>>& parts) {
  return digest(parts, best_compress());
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("'{}': cannot open for reading", path.string()));
  Sha256 s(best_compress());
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) s.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<std::size_t>(got));
  }
  if (in.bad()) throw Error(fmt::format("'{}': read error", path.string()));
  return s.hex();
}

namespace detail {

bool sha256_hardware_available() { return best_compress() != compress_portable; }

std::string sha256_hex_portable(const std::vector<std::pair<const void*, std::size_t>>& parts) {
  return digest(parts, compress_portable);
}

}  // namespace detail

}  // namespace axial
