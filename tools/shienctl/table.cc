#include "tools/shienctl/table.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "tools/shienctl/format.h"

namespace shien::ctl {

Table::Table(std::vector<std::string> columns) {
  for (std::string& column : columns) {
    const bool numeric = !column.empty() && column[0] == '>';
    numeric_.push_back(numeric);
    headers_.push_back(numeric ? column.substr(1) : std::move(column));
  }
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::AddRule() { rows_.emplace_back(); }

std::string Table::Render() const {
  std::vector<int> widths;
  for (const std::string& header : headers_) {
    widths.push_back(DisplayWidth(header));
  }
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  auto render_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      const int pad = widths[c] - DisplayWidth(cells[c]);
      if (c > 0) line += "  ";
      if (numeric_[c]) line.append(pad, ' ');
      line += cells[c];
      if (!numeric_[c]) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = render_row(headers_);
  for (const auto& row : rows_) {
    if (row.empty()) {
      int total = 0;
      for (int w : widths) total += w;
      total += 2 * static_cast<int>(widths.size() - 1);
      out += std::string(total, '-') + "\n";
    } else {
      out += render_row(row);
    }
  }
  return out;
}

}  // namespace shien::ctl
