#!/usr/bin/env bash
# fieldapp on Linux (Debian/Ubuntu):  ./dev.sh start   set up everything and start the app on a demo store
#                                     ./dev.sh test    set up everything and run the whole test suite
#                                     ./dev.sh package build the Linux bundle and smoke-test it
# The system packages Qt and the tests need are installed when run as root; otherwise the exact apt command is
# printed. Everything else (the virtual environment in .venv, the Python packages) is scripts/dev.py's job,
# which Windows users run directly: py -3 scripts\dev.py start
set -euo pipefail
cd "$(dirname "$0")"

packages=(python3 python3-venv python3-pip libegl1 libgl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3
          libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0)
[ "${1:-}" = "test" ] && packages+=(poppler-utils)
[ "${1:-}" = "package" ] && packages+=(poppler-utils binutils)  # pdfinfo for the smoke test, readelf

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "Memasang paket sistem / installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "Paket sistem belum terpasang / system packages missing. Run:"
        echo "  sudo apt-get install -y ${missing[*]}"
        command -v python3 >/dev/null || exit 1
    fi
fi
exec python3 scripts/dev.py "$@"
