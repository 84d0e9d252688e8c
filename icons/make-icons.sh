#!/usr/bin/env bash
# How the app icons were made (ImageMagick): a blue rounded square, a white W,
# a yellow bar. Tauri's bundle and window icon read the PNGs beside this file.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 512x512 xc:none -fill '#1a4480' -draw 'roundrectangle 16,16 496,496 96,96' \
  -fill white -font DejaVu-Sans-Bold -pointsize 300 -gravity center -annotate +0+10 'W' \
  -fill '#ffbe2e' -draw 'rectangle 120,420 392,444' PNG32:icon.png
for s in 32 128 256; do convert icon.png -resize "${s}x${s}" "PNG32:${s}x${s}.png"; done
mv 256x256.png 128x128@2x.png
