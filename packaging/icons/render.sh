#!/usr/bin/env bash
# Rasterise fieldapp.svg into the PNG sizes the desktop files and installers use, and the Windows .ico.
# Needs rsvg-convert (Debian: librsvg2-bin) and, for the .ico, ImageMagick or Python with Pillow.
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 32 48 64 128 256; do
    rsvg-convert -w "$size" -h "$size" fieldapp.svg -o "fieldapp-$size.png"
done
if command -v convert >/dev/null && convert -version 2>/dev/null | grep -q ImageMagick; then
    convert fieldapp-16.png fieldapp-32.png fieldapp-48.png fieldapp-64.png fieldapp-128.png fieldapp-256.png fieldapp.ico
else
    "${PYTHON:-python3}" -c "from PIL import Image; Image.open('fieldapp-256.png').save('fieldapp.ico', sizes=[(s, s) for s in (16, 32, 48, 64, 128, 256)])"
fi
echo "icons written to $(pwd)"
