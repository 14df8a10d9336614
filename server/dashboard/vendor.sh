#!/usr/bin/env bash
# Re-vendors uPlot from the npm registry and checks the files against
# web/vendor/uplot/SHA256SUMS. Usage: server/dashboard/vendor.sh [version]
set -euo pipefail
cd "$(dirname "$0")/web/vendor/uplot"
version="${1:-1.6.32}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" .
if [ "$version" = "1.6.32" ]; then sha256sum -c SHA256SUMS; else sha256sum uPlot.iife.min.js uPlot.min.css LICENSE > SHA256SUMS; fi
