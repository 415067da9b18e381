// libu/eval/report_svg.cpp — the report's inline SVG charts (line charts of curves, grouped
// bar charts of before/after metrics); report_detail.h.
#include <algorithm>
#include <cmath>
#include <string>

#include "libu/core/error.h"
#include "libu/eval/report.h"
#include "libu/eval/report_detail.h"

namespace libu::eval::detail {

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const char* const kBeforeColor = "#9e9e9e";

std::string color_of(size_t i) { return kPalette[i % (sizeof kPalette / sizeof *kPalette)]; }

struct Axis {
  double lo = 0, hi = 1, step = 0.2;
  int ticks() const { return int(std::lround((hi - lo) / step)); }
};

Axis nice_axis(double lo, double hi, bool integer) {
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw))), f = raw / mag;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  if (integer) step = std::max(step, 1.0);
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

std::string tick_label(double v, double step) {
  int dec = std::clamp(int(-std::floor(std::log10(step) + 1e-9)), 0, 6);
  return fixed(std::fabs(v) < step * 1e-6 ? 0.0 : v, dec);
}

struct Frame {  // pixel box of the plot area inside a W×H svg
  double w, h, left, right, top, bottom;
  double x(const Axis& a, double v) const { return left + (v - a.lo) / (a.hi - a.lo) * (right - left); }
  double y(const Axis& a, double v) const { return bottom - (v - a.lo) / (a.hi - a.lo) * (bottom - top); }
};

std::string px(double v) { return fixed(v, 1); }

std::string svg_open(const Frame& f, const std::string& label) {
  return cat("<svg width=\"", px(f.w), "\" height=\"", px(f.h), "\" viewBox=\"0 0 ", px(f.w), " ", px(f.h),
             "\" role=\"img\" aria-label=\"", html_escape(label), "\">\n<rect x=\"", px(f.left), "\" y=\"",
             px(f.top), "\" width=\"", px(f.right - f.left), "\" height=\"", px(f.bottom - f.top),
             "\" fill=\"#fcfcfc\" stroke=\"#999\"/>\n");
}

std::string y_axis(const Frame& f, const Axis& a) {
  std::string s;
  for (int i = 0; i <= a.ticks(); ++i) {
    double v = a.lo + i * a.step, y = f.y(a, v);
    s += cat("<line x1=\"", px(f.left), "\" y1=\"", px(y), "\" x2=\"", px(f.right), "\" y2=\"", px(y),
             "\" stroke=\"#e4e4e4\"/><text x=\"", px(f.left - 5), "\" y=\"", px(y + 4),
             "\" text-anchor=\"end\">", tick_label(v, a.step), "</text>\n");
  }
  return s;
}

std::string x_axis(const Frame& f, const Axis& a, const std::string& label) {
  std::string s;
  for (int i = 0; i <= a.ticks(); ++i) {
    double v = a.lo + i * a.step, x = f.x(a, v);
    s += cat("<line x1=\"", px(x), "\" y1=\"", px(f.bottom), "\" x2=\"", px(x), "\" y2=\"", px(f.bottom + 4),
             "\" stroke=\"#666\"/><text x=\"", px(x), "\" y=\"", px(f.bottom + 16), "\" text-anchor=\"middle\">",
             tick_label(v, a.step), "</text>\n");
  }
  s += cat("<text x=\"", px((f.left + f.right) / 2), "\" y=\"", px(f.h - 4), "\" text-anchor=\"middle\">",
           html_escape(label), "</text>\n");
  return s;
}

constexpr double kLegendItemW = 170, kLegendRowH = 16;

int legend_rows(size_t n, double width) {
  int per_row = std::max(1, int((width - 20) / kLegendItemW));
  return int((n + size_t(per_row) - 1) / size_t(per_row));
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& items, double width) {
  int per_row = std::max(1, int((width - 20) / kLegendItemW));
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    double x = 10 + double(i % size_t(per_row)) * kLegendItemW, y = 14 + double(i / size_t(per_row)) * kLegendRowH;
    s += cat("<rect x=\"", px(x), "\" y=\"", px(y - 8), "\" width=\"14\" height=\"8\" fill=\"", items[i].second,
             "\"/><text x=\"", px(x + 18), "\" y=\"", px(y), "\">", html_escape(clip_text(items[i].first, 24)),
             "</text>\n");
  }
  return s;
}


std::string polyline(const Frame& f, const Axis& ax, const Axis& ay, const LineSeries& s) {
  std::string pts;
  for (size_t i = 0; i < s.x.size(); ++i) pts += cat(i ? " " : "", px(f.x(ax, s.x[i])), ",", px(f.y(ay, s.y[i])));
  std::string out = cat("<polyline fill=\"none\" stroke=\"", s.color, "\" stroke-width=\"1.6\" points=\"", pts,
                        "\"><title>", html_escape(s.name), "</title></polyline>\n");
  if (s.x.size() == 1)
    out += cat("<circle cx=\"", px(f.x(ax, s.x[0])), "\" cy=\"", px(f.y(ay, s.y[0])), "\" r=\"3\" fill=\"",
               s.color, "\"/>\n");
  return out;
}

std::string svg_line_chart(const std::string& label, const std::vector<LineSeries>& series) {
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (auto& s : series)
    for (size_t i = 0; i < s.x.size(); ++i)
      xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]), ylo = std::min(ylo, s.y[i]), yhi = std::max(yhi, s.y[i]);
  const double w = 560, top = 14 + kLegendRowH * legend_rows(series.size(), w);
  Frame f{w, top + 250, 64, w - 16, top, top + 250 - 40};
  Axis ax = nice_axis(xlo, xhi, true), ay = nice_axis(ylo, yhi, false);
  std::vector<std::pair<std::string, std::string>> items;
  for (auto& s : series) items.push_back({s.name, s.color});
  std::string svg = svg_open(f, label) + y_axis(f, ay) + x_axis(f, ax, "step") + legend(items, w);
  for (auto& s : series) svg += polyline(f, ax, ay, s);
  return svg + "</svg>\n";
}


std::string bar(const Frame& f, const Axis& a, double x, double bw, const std::string& who, const BarGroup& g,
                const json& v, const std::string& color) {
  if (!v.is_number())
    return cat("<text x=\"", px(x + bw / 2), "\" y=\"", px(f.bottom - 3), "\" text-anchor=\"middle\" class=\"na\">-</text>\n");
  double y = f.y(a, std::clamp(v.get<double>(), a.lo, a.hi)), ty = y - 3;
  return cat("<rect x=\"", px(x), "\" y=\"", px(y), "\" width=\"", px(bw - 2), "\" height=\"", px(f.bottom - y),
             "\" fill=\"", color, "\"><title>", html_escape(who), " \u00b7 ", html_escape(g.label), ": ",
             report_number(v), "</title></rect><text class=\"bv\" x=\"", px(x + bw / 2 + 3), "\" y=\"", px(ty),
             "\" transform=\"rotate(-90 ", px(x + bw / 2 + 3), " ", px(ty), ")\">", report_number(v), "</text>\n");
}

std::string svg_bar_chart(const std::string& label, const std::vector<std::pair<std::string, std::string>>& series,
                          const std::vector<BarGroup>& groups) {
  const double bw = 18, gap = 28, group_w = bw * double(series.size()) + gap;
  const double w = std::max(560.0, 64 + group_w * double(groups.size()) + 16);
  const double top = 14 + kLegendRowH * legend_rows(series.size(), w) + 44;
  Frame f{w, top + 240, 64, w - 16, top, top + 240 - 40};
  Axis a{0, 1, 0.2};
  std::string svg = svg_open(f, label) + y_axis(f, a) + legend(series, w);
  for (size_t g = 0; g < groups.size(); ++g) {
    double x0 = f.left + gap / 2 + double(g) * group_w;
    for (size_t s = 0; s < series.size(); ++s)
      svg += bar(f, a, x0 + double(s) * bw, bw, series[s].first, groups[g], groups[g].values[s], series[s].second);
    svg += cat("<text x=\"", px(x0 + bw * double(series.size()) / 2), "\" y=\"", px(f.bottom + 16),
               "\" text-anchor=\"middle\">", html_escape(groups[g].label), "</text>\n");
  }
  return svg + "</svg>\n";
}

}  // namespace libu::eval::detail
