#include "tests/testing/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace shien::testing {

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/shien-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SourceDir() {
  const char* dir = std::getenv("SHIEN_SOURCE_DIR");
  return dir != nullptr ? dir : SHIEN_SOURCE_DIR_DEFAULT;
}

std::string BinaryDir() {
  const char* dir = std::getenv("SHIEN_BINARY_DIR");
  return dir != nullptr ? dir : SHIEN_BINARY_DIR_DEFAULT;
}

}  // namespace shien::testing
