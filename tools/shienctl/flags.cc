#include "tools/shienctl/flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "common/fiscal/fiscal.h"
#include "common/server/env.h"

ABSL_FLAG(std::string, budget,
          shien::EnvOr("SHIEN_BUDGET_ADDR", "127.0.0.1:50051"),
          "budget service address host:port (env SHIEN_BUDGET_ADDR)");
ABSL_FLAG(std::string, kpi, shien::EnvOr("SHIEN_KPI_ADDR", "127.0.0.1:50052"),
          "KPI service address host:port (env SHIEN_KPI_ADDR)");
ABSL_FLAG(std::string, subsidy,
          shien::EnvOr("SHIEN_SUBSIDY_ADDR", "127.0.0.1:50053"),
          "subsidy service address host:port (env SHIEN_SUBSIDY_ADDR)");
ABSL_FLAG(std::string, token, shien::EnvOr("SHIEN_TOKEN", ""),
          "bearer token sent on every call (env SHIEN_TOKEN)");
ABSL_FLAG(std::string, token_file, "",
          "file whose first line is the bearer token (overrides --token)");
ABSL_FLAG(std::string, ca, "", "PEM CA file: use TLS and verify the server");
ABSL_FLAG(std::string, cert, "", "PEM client certificate for mTLS");
ABSL_FLAG(std::string, key, "", "PEM client key for mTLS");
ABSL_FLAG(std::string, server_name, "",
          "name the server certificate must carry, when not the host");
ABSL_FLAG(int, timeout_s, 10, "deadline of each call, in seconds");
ABSL_FLAG(bool, json, false,
          "print the response as JSON (the proto JSON mapping)");
ABSL_FLAG(bool, era, false, "label fiscal years 令和8年度 instead of FY2026");
ABSL_FLAG(int, year, shien::FiscalYearOfDate(shien::TodayInJapan()),
          "fiscal year (default: the current one in Japan time)");
ABSL_FLAG(std::string, filter, "", "List filter, e.g. 'area = AREA_...'");
ABSL_FLAG(std::string, grouping, "program",
          "dashboard grouping: program, department or area");
ABSL_FLAG(std::string, as_of, "", "date YYYY-MM-DD (default today)");
ABSL_FLAG(std::string, reason, "", "reason for return, reject, withdraw");
ABSL_FLAG(std::string, request_id, "",
          "idempotency key of a subsidy command (default derived)");
ABSL_FLAG(int, batch_size, 1000, "import: rows per batch (1 to 1000)");
