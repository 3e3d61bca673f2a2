#ifndef SHIEN_TOOLS_SHIENCTL_TABLE_H_
#define SHIEN_TOOLS_SHIENCTL_TABLE_H_

#include <string>
#include <vector>

namespace shien::ctl {

// A plain-text table: a header row, then rows, columns separated by two
// spaces and padded to the widest cell by terminal width (Japanese text
// counts two columns a character). Columns marked numeric are aligned right.
class Table {
 public:
  // `columns` are the headers; a header starting with '>' is numeric (the
  // '>' is not printed).
  explicit Table(std::vector<std::string> columns);

  // Adds a row; missing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);

  // A line of dashes under the rows added so far (e.g. before a total).
  void AddRule();

  // The table, each line ending with '\n'; no trailing spaces.
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;  // empty vector = rule
};

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_TABLE_H_
