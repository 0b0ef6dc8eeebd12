#!/usr/bin/env bash
# Build the Linux laptop bundle: dist/fieldapp/ (one folder) and dist/fieldapp-VERSION-linux-x86_64.tar.xz.
#   packaging/build_linux.sh            uses $PYTHON (default: .venv/bin/python, else python3)
# Needs: the project installed in that Python (pip install -e .), pip install pyinstaller, and readelf
# (binutils). Build on the oldest distribution you support: the bundle needs that glibc or newer.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
"$PYTHON" -c "import PyInstaller" 2>/dev/null || { echo "PyInstaller missing: $PYTHON -m pip install pyinstaller" >&2; exit 1; }
"$PYTHON" -c "import fieldapp, lokal" || { echo "fieldapp not installed: $PYTHON -m pip install -e ." >&2; exit 1; }
[ -f packaging/icons/fieldapp-256.png ] || packaging/icons/render.sh

version=$("$PYTHON" -c "import fieldapp; print(fieldapp.__version__)")
echo "== PyInstaller: fieldapp $version"
rm -rf dist/fieldapp
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/fieldapp.spec

echo "== checking that no bundled file needs a library the spec dropped"
if command -v readelf >/dev/null; then
    missing=0
    present=$(find dist/fieldapp -name '*.so*' -printf '%f\n' | sort -u)
    while IFS= read -r -d '' f; do
        for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            case "$lib" in libatk-1.0*|libcairo*|libdatrie*|libfribidi*|libgdk_pixbuf*|libgraphite2*|libharfbuzz.so*|libpango*|libpixman*|libthai*)
                grep -qxF "$lib" <<<"$present" || { echo "   $f needs $lib (dropped by the spec)"; missing=1; } ;;
            esac
        done
    done < <(find dist/fieldapp -type f \( -name '*.so*' -o -name fieldapp \) -print0)
    [ "$missing" = 0 ] || { echo "BUILD FAIL: keep those libraries (DROP_LIBS in packaging/fieldapp.spec)" >&2; exit 1; }
else
    echo "   (readelf not found: skipped; apt-get install binutils)"
fi

install -m 644 packaging/linux/fieldapp.desktop dist/fieldapp/fieldapp.desktop
mkdir -p dist/fieldapp/icons
cp packaging/icons/fieldapp.svg packaging/icons/fieldapp-*.png dist/fieldapp/icons/
install -m 755 packaging/linux/install.sh dist/fieldapp/install.sh

echo "== archive"
XZ_OPT=${XZ_OPT:--6 -T0} tar -C dist -cJf "dist/fieldapp-$version-linux-x86_64.tar.xz" fieldapp
du -sh dist/fieldapp "dist/fieldapp-$version-linux-x86_64.tar.xz"
