#ifndef SHIEN_TESTS_TESTING_TEMP_DIR_H_
#define SHIEN_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace shien::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The source tree root ($SHIEN_SOURCE_DIR, else the one the tests were
// built from), for data/.
std::string SourceDir();
// The build tree root ($SHIEN_BINARY_DIR, else the one built in).
std::string BinaryDir();

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_TEMP_DIR_H_
