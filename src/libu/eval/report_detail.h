// libu/eval/report_detail.h — what the three parts of `libu report` share: report.cpp reads
// run folders into report.json, report_svg.cpp draws the charts, report_html.cpp writes the
// page and the text table. Private to the eval module.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace libu::eval::detail {

using nlohmann::json;

// ---- numbers and text (report.cpp)
json r4(double v);  // rounded to 4 decimals; null when not finite
const json* field(const json& j, const char* key);
json float_at(const json& j, const char* key);
json int_at(const json& j, const char* key);
std::string str_at(const json& j, const char* key, const std::string& dflt = "");
std::string clip_text(const std::string& s, size_t max_bytes);  // cut on a UTF-8 boundary, "…" appended
std::string fixed(double v, int decimals);

// ---- charts (report_svg.cpp): inline SVG
extern const char* const kBeforeColor;
std::string color_of(size_t i);  // the palette colour of run i
struct LineSeries {
  std::string name, color;
  std::vector<double> x, y;
};
std::string svg_line_chart(const std::string& label, const std::vector<LineSeries>& series);
struct BarGroup {
  std::string label;
  std::vector<json> values;  // one per series; null = missing
};
// series: (name, colour) per bar of a group.
std::string svg_bar_chart(const std::string& label, const std::vector<std::pair<std::string, std::string>>& series,
                          const std::vector<BarGroup>& groups);

}  // namespace libu::eval::detail
