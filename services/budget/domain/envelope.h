#ifndef SHIEN_SERVICES_BUDGET_DOMAIN_ENVELOPE_H_
#define SHIEN_SERVICES_BUDGET_DOMAIN_ENVELOPE_H_

#include <cstdint>
#include <string>

namespace shien::budget {

// Bounds on reservation fields.
inline constexpr size_t kMaxHolderBytes = 256;
inline constexpr int64_t kMaxReservationYen = 1'000'000'000'000;  // 1e12

// A budget envelope (予算枠) funded by a program.
struct Envelope {
  int fiscal_year = 0;
  std::string id;
  int program_number = 0;
  std::string title;
  int64_t amount_yen = 0;
  int64_t reserved_yen = 0;  // sum of held amounts; never above amount_yen
  int64_t active_reservation_count = 0;
};

// Funds held against an envelope for one holder.
struct Reservation {
  int fiscal_year = 0;
  std::string envelope_id;
  int64_t id = 0;
  std::string holder;
  int64_t amount_yen = 0;    // currently held
  int64_t reserved_yen = 0;  // first reserved
  int64_t released_yen = 0;  // released so far
  int64_t create_time_micros = 0;
  int64_t update_time_micros = 0;
};

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_DOMAIN_ENVELOPE_H_
