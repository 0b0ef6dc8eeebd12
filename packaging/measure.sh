#!/usr/bin/env bash
# Figures for a built bundle: packaging/measure.sh dist/fieldapp
#   - size on disk;
#   - cold start of `fieldapp --version` (page cache dropped first when we may, i.e. as root) and warm start;
#   - GUI start to the first window (the first-run dialog on a fresh data folder) under Xvfb, found with xwininfo;
#   - an ESTIMATE of the Windows installer size: the bundle compressed the way Inno Setup does
#     (LZMA2, 64 MB dictionary, solid) with 7z; the Windows bundle's files differ (DLLs, no ICU data), so this
#     is a guide, not the real figure.
# Needs: Xvfb and xwininfo (x11-utils) for the GUI figure, 7z (p7zip-full) for the estimate.
set -euo pipefail
bundle=$(cd "${1:?usage: measure.sh DIST_DIR}" && pwd)
exe="$bundle/fieldapp"
work=$(mktemp -d)
xvfb_pid=""
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
drop_caches() { sync; (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null && echo dropped || echo "not dropped"; }

echo "size on disk:        $(du -sh "$bundle" | cut -f1)  ($(find "$bundle" -type f | wc -l) files)"

state=$(drop_caches)
t0=$(now); "$exe" --version >/dev/null; t1=$(now)
echo "--version cold:      $(ms "$t0" "$t1") ms  (page cache $state)"
best=999999
for _ in 1 2 3 4 5; do
    t0=$(now); "$exe" --version >/dev/null; t1=$(now)
    v=$(ms "$t0" "$t1"); [ "$v" -lt "$best" ] && best=$v
done
echo "--version warm:      $best ms  (best of 5)"

gui_start() {  # ms from exec to the first mapped fieldapp window, or "none"
    local data="$work/gui-$RANDOM" start pid
    start=$(now)
    FIELDAPP_DATA_DIR="$data" QT_QPA_PLATFORM=xcb "$exe" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 1500); do  # up to 30 s
        if xwininfo -root -tree 2>/dev/null | grep -q -- '— fieldapp"'; then
            echo "$(ms "$start" "$(now)")"; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; return
        fi
        kill -0 "$pid" 2>/dev/null || { echo "exited"; return; }
        sleep 0.02
    done
    kill "$pid" 2>/dev/null; echo "none"
}
if command -v Xvfb >/dev/null && command -v xwininfo >/dev/null; then
    display=":$((90 + RANDOM % 100))"
    Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=$display
    sleep 1
    state=$(drop_caches)
    echo "GUI first window cold: $(gui_start) ms  (Xvfb, page cache $state)"
    echo "GUI first window warm: $(gui_start) ms, $(gui_start) ms, $(gui_start) ms"
else
    echo "GUI first window:    skipped (needs Xvfb and xwininfo: apt-get install xvfb x11-utils)"
fi

if command -v 7z >/dev/null; then
    (cd "$(dirname "$bundle")" && 7z a -t7z -m0=lzma2 -mx=9 -md=64m -ms=on -mmt=on "$work/est.7z" "$(basename "$bundle")" >/dev/null)
    echo "installer ESTIMATE:  $(du -h "$work/est.7z" | cut -f1)  (Linux bundle, LZMA2 ultra 64 MB solid, as Inno Setup compresses)"
else
    echo "installer ESTIMATE:  skipped (needs 7z: apt-get install p7zip-full)"
fi
