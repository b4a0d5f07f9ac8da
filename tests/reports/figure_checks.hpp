#pragma once
// Test helpers: decode a PNG (libpng's simplified API) and check that an SVG file is well-formed XML.
#include <png.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace axial::test {

struct DecodedPng {
  bool ok = false;
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // height × width × 3
  std::size_t distinct_colours() const {
    std::vector<std::uint32_t> seen;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) {
      std::uint32_t c = (std::uint32_t(rgb[i]) << 16) | (std::uint32_t(rgb[i + 1]) << 8) | rgb[i + 2];
      if (seen.size() < 64 && std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
    }
    return seen.size();
  }
  // Non-white pixels within `margin` pixels of the image's edge: anything drawn there (a title, tick label, axis
  // label or legend) is cut off by the page or touches it. 0 for a figure with nothing clipped.
  std::size_t ink_near_border(int margin) const {
    std::size_t n = 0;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        if (x >= margin && x < width - margin && y >= margin && y < height - margin) continue;
        const std::size_t i = (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3;
        if (rgb[i] < 235 || rgb[i + 1] < 235 || rgb[i + 2] < 235) ++n;
      }
    return n;
  }
  // Where ink_near_border's pixels are: "left N, right N, top N, bottom N" (for failure messages).
  std::string border_ink_sides(int margin) const {
    std::size_t l = 0, r = 0, t = 0, b = 0;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const std::size_t i = (std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3;
        if (!(rgb[i] < 235 || rgb[i + 1] < 235 || rgb[i + 2] < 235)) continue;
        if (x < margin) ++l;
        if (x >= width - margin) ++r;
        if (y < margin) ++t;
        if (y >= height - margin) ++b;
      }
    return "left " + std::to_string(l) + ", right " + std::to_string(r) + ", top " + std::to_string(t) +
           ", bottom " + std::to_string(b);
  }
  // Fraction of pixels that are not (near) white.
  double ink_fraction() const {
    std::size_t ink = 0;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3)
      if (rgb[i] < 235 || rgb[i + 1] < 235 || rgb[i + 2] < 235) ++ink;
    return rgb.empty() ? 0 : double(ink) / double(rgb.size() / 3);
  }
};

inline DecodedPng decode_png(const std::filesystem::path& path) {
  DecodedPng out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return out;
  image.format = PNG_FORMAT_RGB;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) return out;
  out.ok = true;
  out.width = int(image.width);
  out.height = int(image.height);
  return out;
}

// A small well-formedness check: every tag closes in order, attributes are quoted, one root element.
// Returns "" when well-formed, else a description of the first problem.
inline std::string xml_problem(const std::string& s) {
  std::vector<std::string> stack;
  int roots = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '<') {
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      std::size_t e = s.find("-->", i);
      if (e == std::string::npos) return "unclosed comment";
      i = e + 3;
      continue;
    }
    if (s.compare(i, 9, "<![CDATA[") == 0) {
      std::size_t e = s.find("]]>", i);
      if (e == std::string::npos) return "unclosed CDATA";
      i = e + 3;
      continue;
    }
    if (s.compare(i, 2, "<?") == 0 || s.compare(i, 2, "<!") == 0) {
      std::size_t e = s.find('>', i);
      if (e == std::string::npos) return "unclosed declaration";
      i = e + 1;
      continue;
    }
    bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::size_t name_end = s.find_first_of(" \t\r\n/>", j);
    if (name_end == std::string::npos) return "truncated tag";
    std::string name = s.substr(j, name_end - j);
    if (name.empty()) return "empty tag name";
    // Scan to '>' honouring quoted attribute values.
    std::size_t k = name_end;
    char quote = 0;
    for (; k < s.size(); ++k) {
      if (quote) {
        if (s[k] == quote) quote = 0;
      } else if (s[k] == '"' || s[k] == '\'') {
        quote = s[k];
      } else if (s[k] == '>') {
        break;
      }
    }
    if (k >= s.size()) return "unterminated tag <" + name;
    bool self_closing = s[k - 1] == '/';
    if (closing) {
      if (stack.empty() || stack.back() != name) return "mismatched </" + name + ">";
      stack.pop_back();
    } else if (!self_closing) {
      if (stack.empty()) ++roots;
      stack.push_back(name);
    } else if (stack.empty()) {
      ++roots;
    }
    i = k + 1;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "expected one root element, found " + std::to_string(roots);
  return "";
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace axial::test
