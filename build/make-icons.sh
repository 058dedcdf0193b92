#!/usr/bin/env bash
# Renders build/icon.svg to the PNGs electron-builder uses: build/icon.png (1024 px, macOS
# and Windows), build/icons/NxN.png (Linux), and packs them into build/icon.icns and build/icon.ico
# (pack-icons.mjs; also the .steerlab document icons).
# Needs Debian's librsvg2-bin (rsvg-convert). The PNGs are committed; rerun after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")"
command -v rsvg-convert >/dev/null || { echo "rsvg-convert is missing: apt-get install librsvg2-bin" >&2; exit 1; }
rsvg-convert -w 1024 -h 1024 icon.svg -o icon.png
mkdir -p icons
for size in 16 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/${size}x${size}.png"
done
node pack-icons.mjs
echo "Wrote build/icon.png and build/icons/{16..512}.png"
