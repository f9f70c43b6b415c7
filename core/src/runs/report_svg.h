// Charts for the HTML report as SVG text (internal to runs/): points, step
// and polyline series, budget lines with the infeasible side shaded, picks
// ringed and labelled, on linear axes with round ticks. Pure functions.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace pp::svg {

struct Series {
  enum class Style { Dots, Step, Line, Crosses, Rings };
  Style style = Style::Dots;
  std::string color = "#888";
  std::string label;  // legend; empty: none
  std::vector<std::pair<double, double>> points;
  std::vector<std::string> notes;  // Rings: a label beside each point
};

// A limit on one axis: the side beyond `value` (above it when `upper`) is
// infeasible and shaded.
struct Budget {
  bool onX = true;
  double value = 0;
  bool upper = true;
  std::string label;
};

struct Chart {
  std::string title, xLabel, yLabel;
  std::vector<Series> series;
  std::vector<Budget> budgets;
  int width = 720, height = 420;
  bool yFromZero = false;  // the y axis starts at 0 whatever the values
};

std::string render(const Chart& c);
// "1.5 M", "250 k", "0.35": short numbers for ticks and tables.
std::string shortNumber(double v);
std::string escape(const std::string& text);  // for XML and HTML text and attributes
std::string base64(const std::string& bytes);

}  // namespace pp::svg
