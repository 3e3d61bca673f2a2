#include "common/server/serve.h"

#include <cstdio>
#include <filesystem>

#include "common/cache/cache_flags.h"
#include "common/server/server.h"

namespace shien {

int ServeService(const ServiceRun& run) {
  ServerOptions options;
  options.address = run.listen;
  if (cache::RpcLogEnabled()) options.rpc_log_name = run.log_name;
  auto running = StartServer(options, {run.service},
                             {run.service_name, run.service_name + "/cache"});
  if (!running.ok()) {
    std::fprintf(stderr, "%s: %s\n", run.log_name.c_str(),
                 std::string(running.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "%s: serving %s on port %d (%s; view cache %s)\n",
               run.log_name.c_str(), run.service_name.c_str(), running->port,
               run.detail.c_str(), run.cache->enabled() ? "on" : "off");
  std::printf("LISTENING %d\n", running->port);
  std::fflush(stdout);
  cache::ViewCache* view_cache = run.cache;
  ServeUntilSignal(
      *running, *run.executor,
      {{run.service_name, run.ping},
       cache::CacheHealthProbe(view_cache, run.service_name)},
      run.grace, run.log_name, [view_cache] { return view_cache->StatsLine(); },
      std::chrono::seconds(cache::CacheLogIntervalSeconds()),
      std::chrono::milliseconds(cache::HealthProbeMillis()));
  return 0;
}

void CreateParentDirectory(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
}

}  // namespace shien
