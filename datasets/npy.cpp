#include "datasets/npy.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <variant>

#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial::datasets {

const char* npy_type_name(NpyType type) {
  switch (type) {
    case NpyType::Bool: return "bool";
    case NpyType::Int8: return "int8";
    case NpyType::UInt8: return "uint8";
    case NpyType::Int16: return "int16";
    case NpyType::UInt16: return "uint16";
    case NpyType::Int32: return "int32";
    case NpyType::UInt32: return "uint32";
    case NpyType::Int64: return "int64";
    case NpyType::UInt64: return "uint64";
    case NpyType::Float16: return "float16";
    case NpyType::Float32: return "float32";
    case NpyType::Float64: return "float64";
  }
  return "?";
}

bool npy_is_float(NpyType type) {
  return type == NpyType::Float16 || type == NpyType::Float32 || type == NpyType::Float64;
}
bool npy_is_integer(NpyType type) { return !npy_is_float(type); }

std::int64_t NpyHeader::count() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}
std::uint64_t NpyHeader::data_bytes() const { return std::uint64_t(count()) * std::uint64_t(item_size); }

std::string NpyHeader::shape_string() const {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

namespace detail {

// A tiny parser for the Python literal subset numpy writes in .npy headers: dicts with string keys, strings,
// True/False/None, integers, tuples and lists. Anything else is an error.
struct PyValue;
using PyList = std::vector<PyValue>;
using PyDict = std::vector<std::pair<std::string, PyValue>>;
struct PyValue {
  enum Kind { Str, Bool, None, Int, Tuple, List, Dict } kind = None;
  std::string str;
  bool boolean = false;
  std::int64_t integer = 0;
  std::vector<PyValue> items;                            // Tuple, List
  std::vector<std::pair<std::string, PyValue>> entries;  // Dict
};

class PyLiteralParser {
 public:
  PyLiteralParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  PyValue parse_top() {
    PyValue v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: malformed .npy header ({} at column {}): {}", where_, what, pos_, s_));
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  PyValue parse_value(int depth) {
    if (depth > 16) fail("nesting too deep");
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end");
    char c = s_[pos_];
    PyValue v;
    if (c == '\'' || c == '"') {
      v.kind = PyValue::Str;
      v.str = parse_string();
    } else if (c == '{') {
      ++pos_;
      v.kind = PyValue::Dict;
      while (!eat('}')) {
        skip_ws();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) fail("expected a string key");
        std::string key = parse_string();
        if (!eat(':')) fail("expected ':'");
        PyValue val = parse_value(depth + 1);
        v.entries.emplace_back(std::move(key), std::move(val));
        if (eat('}')) break;
        if (!eat(',')) fail("expected ',' or '}'");
      }
    } else if (c == '(' || c == '[') {
      char close = c == '(' ? ')' : ']';
      ++pos_;
      v.kind = c == '(' ? PyValue::Tuple : PyValue::List;
      while (!eat(close)) {
        v.items.push_back(parse_value(depth + 1));
        if (eat(close)) break;
        if (!eat(',')) fail("expected ',' in a tuple or list");
      }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = PyValue::Int;
      bool neg = c == '-';
      if (neg) ++pos_;
      if (pos_ >= s_.size() || !(s_[pos_] >= '0' && s_[pos_] <= '9')) fail("expected a digit");
      std::uint64_t x = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (x > (std::uint64_t(std::numeric_limits<std::int64_t>::max()) - 9) / 10) fail("integer too large");
        x = x * 10 + std::uint64_t(s_[pos_] - '0');
        ++pos_;
      }
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 long suffix, written by old numpy
      v.integer = neg ? -std::int64_t(x) : std::int64_t(x);
    } else if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      v.kind = PyValue::Bool;
      v.boolean = true;
    } else if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      v.kind = PyValue::Bool;
      v.boolean = false;
    } else if (s_.compare(pos_, 4, "None") == 0) {
      pos_ += 4;
      v.kind = PyValue::None;
    } else {
      fail("unexpected character");
    }
    return v;
  }
  std::string parse_string() {
    char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) break;
      }
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  const std::string& s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

std::uint16_t load_u16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
std::uint32_t load_u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}

// IEEE half → float.
float half_to_float(std::uint16_t h) {
  std::uint32_t sign = (h >> 15) & 1u, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  float value;
  if (exp == 0)
    value = std::ldexp(float(mant), -24);
  else if (exp == 31)
    value = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    value = std::ldexp(float(mant | 0x400u), int(exp) - 25);
  return sign ? -value : value;
}

}  // namespace detail

std::size_t npy_header_size(const std::uint8_t* bytes, std::size_t size, const std::string& where) {
  static const std::uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, magic, 6) != 0)
    throw Error(fmt::format("{}: not a .npy array (bad magic{})", where, size < 10 ? ", truncated" : ""));
  int major = bytes[6];
  if (major == 1) return 10 + detail::load_u16(bytes + 8);
  if (major == 2 || major == 3) {
    if (size < 12) throw Error(fmt::format("{}: truncated .npy header", where));
    return 12 + std::size_t(detail::load_u32(bytes + 8));
  }
  throw Error(fmt::format("{}: unsupported .npy format version {}.{}", where, major, int(bytes[7])));
}

NpyHeader parse_npy_header(const std::uint8_t* bytes, std::size_t size, const std::string& where) {
  std::size_t total = npy_header_size(bytes, size, where);
  if (total > size) throw Error(fmt::format("{}: truncated .npy header ({} of {} bytes)", where, size, total));
  std::size_t start = bytes[6] == 1 ? 10 : 12;
  if (total > (std::size_t(1) << 24)) throw Error(fmt::format("{}: .npy header implausibly large ({} bytes)", where, total));
  std::string text(reinterpret_cast<const char*>(bytes) + start, total - start);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\0')) text.pop_back();

  detail::PyValue dict = detail::PyLiteralParser(text, where).parse_top();
  if (dict.kind != detail::PyValue::Dict) throw Error(fmt::format("{}: malformed .npy header (not a dict): {}", where, text));
  const detail::PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (auto& [k, v] : dict.entries) {
    if (k == "descr") descr = &v;
    else if (k == "fortran_order") fortran = &v;
    else if (k == "shape") shape = &v;
  }
  if (!descr || !fortran || !shape)
    throw Error(fmt::format("{}: malformed .npy header (needs descr, fortran_order and shape): {}", where, text));

  NpyHeader h;
  if (descr->kind != detail::PyValue::Str)
    throw Error(fmt::format("{}: structured arrays are not supported (dtype {})", where, text));
  h.descr = descr->str;
  if (fortran->kind != detail::PyValue::Bool) throw Error(fmt::format("{}: malformed fortran_order in .npy header", where));
  h.fortran_order = fortran->boolean;
  if (shape->kind != detail::PyValue::Tuple) throw Error(fmt::format("{}: malformed shape in .npy header: {}", where, text));
  for (auto& d : shape->items) {
    if (d.kind != detail::PyValue::Int || d.integer < 0)
      throw Error(fmt::format("{}: malformed shape in .npy header: {}", where, text));
    h.shape.push_back(d.integer);
  }
  // Guard the element count against overflow (no real array has 2^62 bytes).
  {
    long double n = 1;
    for (auto d : h.shape) n *= (long double)d;
    if (n > (long double)(std::int64_t(1) << 58)) throw Error(fmt::format("{}: implausible shape {}", where, h.shape_string()));
  }

  const std::string& d = h.descr;
  if (d.size() < 2) throw Error(fmt::format("{}: unsupported dtype '{}'", where, d));
  char order = d[0];
  std::string code = d.substr(1);
  if (order != '<' && order != '>' && order != '|' && order != '=')
    throw Error(fmt::format("{}: unsupported dtype '{}'", where, d));
  if (code[0] == 'O')
    throw Error(fmt::format("{}: object array (pickled Python objects, dtype '{}'); expected a numeric array", where, d));
  static const std::map<std::string, std::pair<NpyType, int>> codes = {
      {"b1", {NpyType::Bool, 1}},    {"?", {NpyType::Bool, 1}},     {"i1", {NpyType::Int8, 1}},
      {"u1", {NpyType::UInt8, 1}},   {"i2", {NpyType::Int16, 2}},   {"u2", {NpyType::UInt16, 2}},
      {"i4", {NpyType::Int32, 4}},   {"u4", {NpyType::UInt32, 4}},  {"i8", {NpyType::Int64, 8}},
      {"u8", {NpyType::UInt64, 8}},  {"f2", {NpyType::Float16, 2}}, {"f4", {NpyType::Float32, 4}},
      {"f8", {NpyType::Float64, 8}},
  };
  auto it = codes.find(code);
  if (it == codes.end())
    throw Error(fmt::format("{}: unsupported dtype '{}' (supported: bool, int8..int64, uint8..uint64, float16/32/64)",
                            where, d));
  h.type = it->second.first;
  h.item_size = it->second.second;
  if (order == '>' && h.item_size > 1)
    throw Error(fmt::format("{}: big-endian dtype '{}' is not supported (save with .astype('<{}'))", where, d, code));
  h.data_offset = total;
  return h;
}

NpyArray::NpyArray(NpyHeader header, std::shared_ptr<const void> owner, const std::uint8_t* data, std::string where)
    : header_(std::move(header)), owner_(std::move(owner)), data_(data), where_(std::move(where)) {
  if (!header_.fortran_order) return;
  // Fortran order: element (i0, …, i_{r-1}) is at Σ i_k·stride_k with stride_0 = 1, stride_k = stride_{k-1}·n_{k-1}.
  // Copy into C order once, so every accessor (and bytes()) sees C order.
  header_.fortran_order = false;
  const std::size_t rank = header_.shape.size(), item = std::size_t(header_.item_size);
  const std::int64_t n = header_.count();
  auto buf = std::make_shared<std::vector<std::uint8_t>>(std::size_t(n) * item);
  if (rank >= 2 && n > 0) {
    std::vector<std::int64_t> stride(rank, 1), index(rank, 0);
    for (std::size_t k = 1; k < rank; ++k) stride[k] = stride[k - 1] * header_.shape[k - 1];
    std::int64_t offset = 0;  // Fortran offset of `index`
    for (std::int64_t i = 0; i < n; ++i) {
      std::memcpy(buf->data() + std::size_t(i) * item, data_ + std::size_t(offset) * item, item);
      for (std::size_t k = rank; k-- > 0;) {  // next C-order index: the last dimension varies fastest
        if (++index[k] < header_.shape[k]) {
          offset += stride[k];
          break;
        }
        offset -= stride[k] * (index[k] - 1);
        index[k] = 0;
      }
    }
  } else if (n > 0) {
    std::memcpy(buf->data(), data_, std::size_t(n) * item);  // rank ≤ 1: the same bytes
  }
  data_ = buf->data();
  owner_ = std::move(buf);
}

namespace {
template <class T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
}  // namespace

double NpyArray::value_double(std::int64_t i) const {
  const std::uint8_t* p = data_ + std::size_t(i) * std::size_t(header_.item_size);
  switch (header_.type) {
    case NpyType::Bool: return *p ? 1.0 : 0.0;
    case NpyType::Int8: return double(load<std::int8_t>(p));
    case NpyType::UInt8: return double(*p);
    case NpyType::Int16: return double(load<std::int16_t>(p));
    case NpyType::UInt16: return double(load<std::uint16_t>(p));
    case NpyType::Int32: return double(load<std::int32_t>(p));
    case NpyType::UInt32: return double(load<std::uint32_t>(p));
    case NpyType::Int64: return double(load<std::int64_t>(p));
    case NpyType::UInt64: return double(load<std::uint64_t>(p));
    case NpyType::Float16: return double(detail::half_to_float(load<std::uint16_t>(p)));
    case NpyType::Float32: return double(load<float>(p));
    case NpyType::Float64: return load<double>(p);
  }
  return 0.0;
}

std::int64_t NpyArray::value_int64(std::int64_t i) const {
  const std::uint8_t* p = data_ + std::size_t(i) * std::size_t(header_.item_size);
  switch (header_.type) {
    case NpyType::Bool: return *p ? 1 : 0;
    case NpyType::Int8: return load<std::int8_t>(p);
    case NpyType::UInt8: return *p;
    case NpyType::Int16: return load<std::int16_t>(p);
    case NpyType::UInt16: return load<std::uint16_t>(p);
    case NpyType::Int32: return load<std::int32_t>(p);
    case NpyType::UInt32: return load<std::uint32_t>(p);
    case NpyType::Int64: return load<std::int64_t>(p);
    case NpyType::UInt64: {
      auto v = load<std::uint64_t>(p);
      if (v > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        throw Error(fmt::format("{}: value {} at index {} does not fit int64", where_, v, i));
      return std::int64_t(v);
    }
    default: {
      double v = value_double(i);
      if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e18)
        throw Error(fmt::format("{}: value {} at index {} is not an integer", where_, v, i));
      return std::int64_t(v);
    }
  }
}

std::vector<double> NpyArray::as_double() const {
  std::vector<double> out(static_cast<std::size_t>(size()));
  if (header_.type == NpyType::Float64) {
    if (!out.empty()) std::memcpy(out.data(), data_, out.size() * sizeof(double));
    return out;
  }
  for (std::int64_t i = 0; i < size(); ++i) out[std::size_t(i)] = value_double(i);
  return out;
}

std::vector<float> NpyArray::as_float() const {
  std::vector<float> out(static_cast<std::size_t>(size()));
  if (header_.type == NpyType::Float32) {
    if (!out.empty()) std::memcpy(out.data(), data_, out.size() * sizeof(float));
    return out;
  }
  if (header_.type == NpyType::UInt8) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = float(data_[i]);
    return out;
  }
  for (std::int64_t i = 0; i < size(); ++i) out[std::size_t(i)] = float(value_double(i));
  return out;
}

std::vector<std::int64_t> NpyArray::as_int64() const {
  require_integer();
  std::vector<std::int64_t> out(static_cast<std::size_t>(size()));
  if (header_.type == NpyType::Int64) {
    if (!out.empty()) std::memcpy(out.data(), data_, out.size() * sizeof(std::int64_t));
    return out;
  }
  for (std::int64_t i = 0; i < size(); ++i) out[std::size_t(i)] = value_int64(i);
  return out;
}

std::vector<std::uint8_t> NpyArray::as_uint8() const {
  require_integer();
  std::vector<std::uint8_t> out(static_cast<std::size_t>(size()));
  if (header_.type == NpyType::UInt8 || header_.type == NpyType::Bool) {
    if (!out.empty()) std::memcpy(out.data(), data_, out.size());
    if (header_.type == NpyType::Bool)
      for (auto& v : out) v = v ? 1 : 0;
    return out;
  }
  for (std::int64_t i = 0; i < size(); ++i) {
    auto v = value_int64(i);
    if (v < 0 || v > 255) throw Error(fmt::format("{}: value {} at index {} is outside 0..255", where_, v, i));
    out[std::size_t(i)] = std::uint8_t(v);
  }
  return out;
}

void NpyArray::require_ndim(int n) const {
  if (ndim() != n)
    throw Error(fmt::format("{}: expected a {}-dimensional array, got shape {}", where_, n, header_.shape_string()));
}

void NpyArray::require_integer() const {
  if (!npy_is_integer(header_.type))
    throw Error(fmt::format("{}: expected an integer array, got dtype {}", where_, npy_type_name(header_.type)));
}

void NpyArray::require_shape(const std::vector<std::int64_t>& shape) const {
  bool ok = shape.size() == header_.shape.size();
  for (std::size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] < 0 || shape[i] == header_.shape[i];
  if (!ok) {
    std::string want = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (i) want += ", ";
      want += shape[i] < 0 ? std::string("*") : std::to_string(shape[i]);
    }
    if (shape.size() == 1) want += ",";
    want += ")";
    throw Error(fmt::format("{}: expected shape {}, got {}", where_, want, header_.shape_string()));
  }
}

namespace {
struct Mapping {
  void* addr = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (addr && size) munmap(addr, size);
  }
};
}  // namespace

NpyArray read_npy(const std::filesystem::path& path) {
  std::string where = fmt::format("file '{}'", path.string());
  refuse_directory(path, where);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(fmt::format("{}: cannot open ({})", where, std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(fmt::format("{}: not a regular file", where));
  }
  auto m = std::make_shared<Mapping>();
  m->size = std::size_t(st.st_size);
  if (m->size > 0) {
    m->addr = mmap(nullptr, m->size, PROT_READ, MAP_SHARED, fd, 0);
    if (m->addr == MAP_FAILED) {
      m->addr = nullptr;
      ::close(fd);
      throw Error(fmt::format("{}: cannot map ({})", where, std::strerror(errno)));
    }
  }
  ::close(fd);
  const auto* base = static_cast<const std::uint8_t*>(m->addr);
  NpyHeader h = parse_npy_header(base, m->size, where);
  if (h.data_offset + h.data_bytes() > m->size)
    throw Error(fmt::format("{}: truncated ({} bytes, the header {} {} needs {})", where, m->size, h.descr,
                            h.shape_string(), h.data_offset + h.data_bytes()));
  return NpyArray(h, m, base + h.data_offset, where);
}

}  // namespace axial::datasets
