#include "runs/report_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace pp::svg {

std::string shortNumber(double v) {
  const double a = std::abs(v);
  char buf[48];
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.3g G", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.3g M", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf, sizeof buf, "%.3g k", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += k[(n >> s) & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += k[(n >> 18) & 63];
    out += k[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {
struct Range {
  double lo = 0, hi = 1;
};

// Round ticks (1, 2 or 5 times a power of ten) covering the range.
std::vector<double> ticks(Range& r) {
  if (!(r.hi > r.lo)) r.hi = r.lo + (r.lo == 0 ? 1 : std::abs(r.lo) * 0.1);
  const double raw = (r.hi - r.lo) / 5;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
  r.lo = std::floor(r.lo / step) * step;
  r.hi = std::ceil(r.hi / step) * step;
  std::vector<double> out;
  for (double t = r.lo; t <= r.hi + step * 1e-6; t += step) out.push_back(t);
  return out;
}

struct Frame {
  Range x, y;
  double left = 70, right = 20, top = 36, bottom = 48;
  int w = 0, h = 0;
  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (w - left - right); }
  double py(double v) const { return h - bottom - (v - y.lo) / (y.hi - y.lo) * (h - top - bottom); }
};

Frame frameOf(const Chart& c) {
  Frame f;
  f.w = c.width;
  f.h = c.height;
  bool any = false;
  for (const auto& s : c.series)
    for (const auto& [x, y] : s.points) {
      if (!any) f.x = {x, x}, f.y = {y, y};
      any = true;
      f.x.lo = std::min(f.x.lo, x), f.x.hi = std::max(f.x.hi, x);
      f.y.lo = std::min(f.y.lo, y), f.y.hi = std::max(f.y.hi, y);
    }
  if (c.yFromZero) f.y.lo = std::min(f.y.lo, 0.0);
  return f;
}

void axes(std::ostringstream& o, Frame& f, const Chart& c) {
  const auto xt = ticks(f.x), yt = ticks(f.y);
  o << "<rect x='" << f.left << "' y='" << f.top << "' width='" << (f.w - f.left - f.right)
    << "' height='" << (f.h - f.top - f.bottom) << "' fill='white' stroke='#999'/>\n";
  for (double t : xt)
    o << "<line x1='" << f.px(t) << "' x2='" << f.px(t) << "' y1='" << f.top << "' y2='"
      << f.h - f.bottom << "' stroke='#eee'/><text x='" << f.px(t) << "' y='" << f.h - f.bottom + 16
      << "' text-anchor='middle'>" << escape(shortNumber(t)) << "</text>\n";
  for (double t : yt)
    o << "<line x1='" << f.left << "' x2='" << f.w - f.right << "' y1='" << f.py(t) << "' y2='"
      << f.py(t) << "' stroke='#eee'/><text x='" << f.left - 6 << "' y='" << f.py(t) + 4
      << "' text-anchor='end'>" << escape(shortNumber(t)) << "</text>\n";
  o << "<text x='" << f.w / 2 << "' y='20' text-anchor='middle' font-weight='bold'>"
    << escape(c.title) << "</text>\n<text x='" << (f.left + f.w - f.right) / 2 << "' y='"
    << f.h - 10 << "' text-anchor='middle'>" << escape(c.xLabel) << "</text>\n<text x='16' y='"
    << (f.top + f.h - f.bottom) / 2 << "' text-anchor='middle' transform='rotate(-90 16 "
    << (f.top + f.h - f.bottom) / 2 << ")'>" << escape(c.yLabel) << "</text>\n";
}

void budgets(std::ostringstream& o, const Frame& f, const Chart& c) {
  for (const auto& b : c.budgets) {
    const double lo = b.onX ? f.x.lo : f.y.lo, hi = b.onX ? f.x.hi : f.y.hi;
    const double v = std::clamp(b.value, lo, hi);
    const double a = b.upper ? v : lo, z = b.upper ? hi : v;  // the infeasible side
    if (b.onX) {
      o << "<rect x='" << f.px(a) << "' y='" << f.top << "' width='" << f.px(z) - f.px(a)
        << "' height='" << f.h - f.top - f.bottom << "' fill='#d33' fill-opacity='0.08'/>\n"
        << "<line x1='" << f.px(v) << "' x2='" << f.px(v) << "' y1='" << f.top << "' y2='"
        << f.h - f.bottom << "' stroke='#d33' stroke-dasharray='6 4'/><text x='" << f.px(v) + 4
        << "' y='" << f.top + 14 << "' fill='#d33'>" << escape(b.label) << "</text>\n";
    } else {
      o << "<rect x='" << f.left << "' y='" << f.py(z) << "' width='" << f.w - f.left - f.right
        << "' height='" << f.py(a) - f.py(z) << "' fill='#d33' fill-opacity='0.08'/>\n"
        << "<line x1='" << f.left << "' x2='" << f.w - f.right << "' y1='" << f.py(v) << "' y2='"
        << f.py(v) << "' stroke='#d33' stroke-dasharray='6 4'/><text x='" << f.w - f.right - 4
        << "' y='" << f.py(v) - 4 << "' fill='#d33' text-anchor='end'>" << escape(b.label)
        << "</text>\n";
    }
  }
}

void series(std::ostringstream& o, const Frame& f, const Series& s) {
  using St = Series::Style;
  if (s.style == St::Step || s.style == St::Line) {
    auto pts = s.points;
    if (s.style == St::Step) std::sort(pts.begin(), pts.end());
    o << "<polyline fill='none' stroke='" << s.color << "' stroke-width='2' points='";
    for (size_t i = 0; i < pts.size(); ++i) {
      if (s.style == St::Step && i > 0)
        o << f.px(pts[i].first) << "," << f.py(pts[i - 1].second) << " ";
      o << f.px(pts[i].first) << "," << f.py(pts[i].second) << " ";
    }
    o << "'/>\n";
  }
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> taken;  // the labels placed: a later one goes below those it would cover
  for (size_t i = 0; i < s.points.size(); ++i) {
    const double x = f.px(s.points[i].first), y = f.py(s.points[i].second);
    if (s.style == St::Dots || s.style == St::Step)
      o << "<circle cx='" << x << "' cy='" << y << "' r='" << (s.style == St::Dots ? 2.5 : 3.5)
        << "' fill='" << s.color << "'/>\n";
    if (s.style == St::Crosses)
      o << "<path d='M" << x - 3 << "," << y - 3 << "l6,6m0,-6l-6,6' stroke='" << s.color
        << "'/>\n";
    if (s.style == St::Rings) {
      o << "<circle cx='" << x << "' cy='" << y << "' r='8' fill='none' stroke='" << s.color
        << "' stroke-width='2'/>\n";
      if (i < s.notes.size()) {
        Box b{x + 10, y - 20, x + 10 + 7.0 * static_cast<double>(s.notes[i].size()), y - 6};
        for (bool moved = true; moved;) {
          moved = false;
          for (const Box& t : taken)
            if (b.x0 < t.x1 && t.x0 < b.x1 && b.y0 < t.y1 && t.y0 < b.y1) {
              b.y1 = t.y1 + 15;
              b.y0 = b.y1 - 14;
              moved = true;
            }
        }
        taken.push_back(b);
        o << "<text x='" << b.x0 << "' y='" << b.y1 - 2 << "' fill='" << s.color << "'>"
          << escape(s.notes[i]) << "</text>\n";
      }
    }
  }
}

void legend(std::ostringstream& o, const Frame& f, const Chart& c) {
  double y = f.top + 14;
  for (const auto& s : c.series) {
    if (s.label.empty()) continue;
    o << "<rect x='" << f.w - f.right - 170 << "' y='" << y - 9 << "' width='10' height='10' fill='"
      << s.color << "'/><text x='" << f.w - f.right - 155 << "' y='" << y << "'>" << escape(s.label)
      << "</text>\n";
    y += 16;
  }
}
}  // namespace

std::string render(const Chart& c) {
  Frame f = frameOf(c);
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << c.width << "' height='" << c.height
    << "' viewBox='0 0 " << c.width << " " << c.height
    << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' "
       "fill='#fafafa'/>\n";
  axes(o, f, c);
  budgets(o, f, c);
  for (const auto& s : c.series) series(o, f, s);
  legend(o, f, c);
  o << "</svg>\n";
  return o.str();
}

}  // namespace pp::svg
