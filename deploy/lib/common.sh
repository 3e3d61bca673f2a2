# Shared by deploy/local/run and tests/run. Source it; do not run it.
# Installs what a fresh Debian 12 machine lacks, and builds.

SHIEN_ROOT="${SHIEN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SHIEN_BUILD_DIR="${SHIEN_BUILD_DIR:-$SHIEN_ROOT/build}"
SHIEN_TOOLS_DIR="$SHIEN_BUILD_DIR/tools"
SHIEN_BUF="$SHIEN_TOOLS_DIR/node_modules/.bin/buf"

# Debian packages the build, the services and the tests need.
SHIEN_APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libsqlite3-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server postgresql
  golang-github-gogo-googleapis-dev
  libssl-dev openssl
  python3 python3-grpcio python3-protobuf
)

shien_log() { printf '[shien] %s\n' "$*" >&2; }

shien_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are missing (apt-get only when needed).
shien_install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    shien_log "installing: ${missing[*]}"
    shien_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    shien_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
}

shien_install_deps() {
  shien_install_packages "${SHIEN_APT_PACKAGES[@]}"
}

# buf (npm @bufbuild/buf) into $SHIEN_TOOLS_DIR; nodejs/npm from Debian when
# npm is missing.
shien_install_buf() {
  if [ -x "$SHIEN_BUF" ]; then return 0; fi
  command -v npm >/dev/null 2>&1 || shien_install_packages nodejs npm
  mkdir -p "$SHIEN_TOOLS_DIR"
  shien_log "installing buf into $SHIEN_TOOLS_DIR"
  (cd "$SHIEN_TOOLS_DIR" && npm install --no-audit --no-fund --loglevel=error \
     --prefix "$SHIEN_TOOLS_DIR" @bufbuild/buf@1.75.0 >&2)
  [ -x "$SHIEN_BUF" ] || { shien_log "buf did not install"; return 1; }
}

# Configures (once) and builds Release into $SHIEN_BUILD_DIR; incremental on
# later runs. Arguments are the targets to build (default: everything).
shien_build() {
  local jobs targets=()
  jobs="$(nproc 2>/dev/null || echo 2)"
  if [ ! -f "$SHIEN_BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$SHIEN_ROOT" -B "$SHIEN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$SHIEN_BUILD_DIR" -j"$jobs" "${targets[@]}" >&2
}

# buf lint over proto/, resolving google/rpc and google/type from the Debian
# package (buf's registry is not reachable offline).
shien_buf_lint() {
  local ws="$SHIEN_BUILD_DIR/buf-workspace"
  local apis=/usr/share/gocode/src/github.com/gogo/googleapis/google
  rm -rf "$ws"
  mkdir -p "$ws/googleapis/google"
  cp -r "$apis/rpc" "$apis/type" "$ws/googleapis/google/"
  find "$ws/googleapis" -type f ! -name '*.proto' -delete
  ln -s "$SHIEN_ROOT/proto" "$ws/proto"
  cp "$SHIEN_ROOT/buf.yaml" "$ws/buf.yaml"
  (cd "$ws" && "$SHIEN_BUF" lint)
}
