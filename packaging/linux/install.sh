#!/usr/bin/env bash
# Install the unpacked bundle for the current user (no root needed):
#   tar -xJf fieldapp-VERSION-linux-x86_64.tar.xz && fieldapp/install.sh
# Copies the program to ~/.local/opt/fieldapp, links ~/.local/bin/fieldapp, adds the menu entry and icons.
# Data stays in ~/.local/share/fieldapp; `install.sh --uninstall` removes the program, never the data.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
dest="$prefix/opt/fieldapp"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$dest" "$prefix/bin/fieldapp" "$apps/fieldapp.desktop"
    find "$icons" -name 'fieldapp.png' -o -name 'fieldapp.svg' 2>/dev/null | xargs -r rm -f
    echo "fieldapp dihapus / removed. Data tetap di / data kept in ${XDG_DATA_HOME:-$HOME/.local/share}/fieldapp"
    exit 0
fi

[ "$src" = "$dest" ] || { rm -rf "$dest"; mkdir -p "$(dirname "$dest")"; cp -a "$src" "$dest"; }
mkdir -p "$prefix/bin" "$apps"
ln -sf "$dest/fieldapp" "$prefix/bin/fieldapp"
sed "s|^Exec=.*|Exec=$dest/fieldapp|" "$src/fieldapp.desktop" >"$apps/fieldapp.desktop"
for size in 16 32 48 64 128 256; do
    install -D -m 644 "$src/icons/fieldapp-$size.png" "$icons/${size}x${size}/apps/fieldapp.png"
done
install -D -m 644 "$src/icons/fieldapp.svg" "$icons/scalable/apps/fieldapp.svg"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" >/dev/null 2>&1 || true
echo "fieldapp terpasang di / installed in $dest; jalankan / run: fieldapp (atau dari menu / or from the menu)"
