#ifndef SHIEN_TOOLS_SHIENCTL_FLAGS_H_
#define SHIEN_TOOLS_SHIENCTL_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

// Connection: where the services are and how to authenticate. Defaults come
// from the environment (SHIEN_BUDGET_ADDR, SHIEN_KPI_ADDR, SHIEN_SUBSIDY_ADDR,
// SHIEN_TOKEN), so a flag wins over the environment, which wins over the
// built-in default.
ABSL_DECLARE_FLAG(std::string, budget);
ABSL_DECLARE_FLAG(std::string, kpi);
ABSL_DECLARE_FLAG(std::string, subsidy);
ABSL_DECLARE_FLAG(std::string, token);
ABSL_DECLARE_FLAG(std::string, token_file);
ABSL_DECLARE_FLAG(std::string, ca);
ABSL_DECLARE_FLAG(std::string, cert);
ABSL_DECLARE_FLAG(std::string, key);
ABSL_DECLARE_FLAG(std::string, server_name);
ABSL_DECLARE_FLAG(int, timeout_s);

// Output.
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, era);
ABSL_DECLARE_FLAG(int, year);

// Command options.
ABSL_DECLARE_FLAG(std::string, filter);
ABSL_DECLARE_FLAG(std::string, grouping);
ABSL_DECLARE_FLAG(std::string, as_of);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(int, batch_size);

#endif  // SHIEN_TOOLS_SHIENCTL_FLAGS_H_
