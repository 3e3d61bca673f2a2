#include "common/api/fingerprint.h"

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace shien {
namespace {

uint64_t Fnv1a(absl::string_view data, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  // Final avalanche (splitmix64) so nearby inputs differ in every digit.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace

std::string Fingerprint(absl::string_view data) {
  return absl::StrFormat("%016x%016x", Fnv1a(data, 0xcbf29ce484222325ULL),
                         Fnv1a(data, 0x84222325cbf29ce4ULL));
}

}  // namespace shien
