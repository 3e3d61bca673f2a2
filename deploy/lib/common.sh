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
  python3 python3-grpcio python3-protobuf python3-yaml
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

# shien_dev_tokens DIR: development credentials, made once and kept.
#   DIR/tokens          the services' token file (hashes only)
#   DIR/dev-tokens.env  the tokens themselves, as SHIEN_<ROLE>_TOKEN exports
#   DIR/service.token   the token the services present to each other
# All are readable by their owner only. One principal per role; the
# reporter acts for 経営支援課 and 技術支援課 (programs 4, 6, 11, 13, 14, 16,
# 17, 20).
shien_dev_tokens() {
  local dir="$1"
  mkdir -p "$dir"
  if [ -s "$dir/tokens" ] && [ -s "$dir/dev-tokens.env" ] && [ -s "$dir/service.token" ]; then
    return 0
  fi
  local old_umask
  old_umask="$(umask)"
  umask 077
  : >"$dir/tokens.new"
  : >"$dir/dev-tokens.env.new"
  {
    echo "# shien development tokens, made by shien_dev_tokens; see README (Authentication)."
    echo "# credential  name  roles  departments  expires"
  } >>"$dir/tokens.new"
  local role token departments
  for role in viewer reporter reviewer admin service; do
    token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    departments="-"
    [ "$role" = reporter ] && departments="経営支援課,技術支援課"
    printf 'sha256:%s dev-%s %s %s -\n' \
      "$(printf %s "$token" | sha256sum | cut -d' ' -f1)" "$role" "$role" \
      "$departments" >>"$dir/tokens.new"
    printf 'export SHIEN_%s_TOKEN=%s\n' "$(echo "$role" | tr a-z A-Z)" \
      "$token" >>"$dir/dev-tokens.env.new"
    [ "$role" = service ] && printf '%s\n' "$token" >"$dir/service.token"
  done
  mv "$dir/tokens.new" "$dir/tokens"
  mv "$dir/dev-tokens.env.new" "$dir/dev-tokens.env"
  umask "$old_umask"
}
