#!/usr/bin/env bash
# Smoke test of a built bundle: packaging/smoke_test.sh dist/fieldapp
# Runs the bundle itself (never the source tree) on a fresh data directory: --version, init, seed-demo 1000,
# stats --json (1000 participants), certificates --all (a PDF of the expected page count) and the GUI for a few
# seconds offscreen (it must still be running when the timeout stops it). Exits non-zero with a clear message on
# the first failure. Prints timings for --version and the GUI start.
set -euo pipefail

bundle=${1:?usage: smoke_test.sh DIST_DIR (e.g. dist/fieldapp)}
bundle=$(cd "$bundle" 2>/dev/null && pwd) || { echo "SMOKE FAIL: no bundle folder ${1}" >&2; exit 1; }
exe="$bundle/fieldapp"
participants=${SMOKE_PARTICIPANTS:-1000}
[ -x "$exe" ] || { echo "SMOKE FAIL: no executable at $exe (build first: make package)" >&2; exit 1; }
command -v pdfinfo >/dev/null || { echo "SMOKE FAIL: pdfinfo missing (apt-get install poppler-utils)" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen FIELDAPP_LANG=en
unset FIELDAPP_USER FIELDAPP_PASSWORD FIELDAPP_DATA_DIR
# No Python of the build machine may leak in: the bundle must stand alone.
unset PYTHONPATH PYTHONHOME
cd "$work"  # not the checkout, so nothing is imported from it by accident

fail() { echo "SMOKE FAIL: $*" >&2; [ -f "$work/last.err" ] && sed 's/^/    /' "$work/last.err" >&2; exit 1; }
step() { echo "== $*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

step "--version"
t0=$(now)
"$exe" --version >"$work/version.txt" 2>"$work/last.err" || fail "--version exited $?"
t1=$(now)
grep -q "^fieldapp [0-9]" "$work/version.txt" || fail "--version printed: $(cat "$work/version.txt")"
if grep -qE "^ +(Build date|Tanggal build):" "$work/version.txt"; then  # once cli.py prints fieldapp.buildinfo
    ! grep -qE "development checkout|checkout pengembangan" "$work/version.txt" || fail "the bundle has no build stamp"
fi
echo "   $(head -1 "$work/version.txt")  (cold start: $(elapsed "$t0" "$t1") s)"

data="$work/data"
step "init"
echo "rahasia-smoke-123" | "$exe" init --data-dir "$data" --user admin --password-stdin \
    >"$work/init.txt" 2>"$work/last.err" || fail "init exited $?"

step "seed-demo --participants $participants"
echo "rahasia-smoke-123" | "$exe" seed-demo --data-dir "$data" --participants "$participants" \
    --user admin --password-stdin >"$work/seed.txt" 2>"$work/last.err" || fail "seed-demo exited $?"

step "stats --json"
echo "rahasia-smoke-123" | "$exe" stats --data-dir "$data" --json --user admin --password-stdin \
    >"$work/stats.json" 2>"$work/last.err" || fail "stats exited $?"
total=$(sed -n 's/.*"total": *\([0-9]*\).*/\1/p' "$work/stats.json" | head -1)
[ "$total" = "$participants" ] || fail "stats says $total participants, expected $participants"
echo "   $total participants"

step "the store is encrypted"
if head -c 15 "$data/fieldapp.sqlite" | grep -q "SQLite format 3"; then fail "the store has a plain SQLite header"; fi
[ -f "$data/fieldapp.keys" ] || fail "no key file beside the store"
echo "   no plain header, key file present"

step "certificates --all"
t0=$(now)
echo "rahasia-smoke-123" | "$exe" certificates --data-dir "$data" --all --out "$work/all.pdf" \
    --user admin --password-stdin >"$work/certs.txt" 2>"$work/last.err" || fail "certificates exited $?"
t1=$(now)
pages=$(pdfinfo "$work/all.pdf" 2>"$work/last.err" | awk '/^Pages:/ { print $2 }') || fail "pdfinfo could not read the PDF"
[ -n "$pages" ] && [ "$pages" -ge "$participants" ] || fail "certificate PDF has ${pages:-no} pages, expected >= $participants"
echo "   $pages pages, $(du -h "$work/all.pdf" | cut -f1), $(elapsed "$t0" "$t1") s"

old_store="$repo/tests/data/store-0001.sqlite"
if [ -f "$old_store" ]; then
    step "old store (schema 0001) is backed up and upgraded by the bundled migrations"
    mkdir -p "$work/old"
    cp "$old_store" "$work/old/fieldapp.sqlite"
    echo "rahasia123" | "$exe" stats --data-dir "$work/old" --json --user sup --password-stdin \
        >"$work/old.json" 2>"$work/last.err" || fail "stats on the old store exited $?"
    total=$(sed -n 's/.*"total": *\([0-9]*\).*/\1/p' "$work/old.json" | head -1)
    [ "$total" = 2 ] || fail "old store: $total participants after the upgrade, expected 2"
    ls "$work/old/backups/"fieldapp-pre-migrate-0001-*.sqlite >/dev/null 2>&1 || fail "old store: no pre-migrate backup"
    echo "   upgraded, 2 participants, pre-migrate backup written"
fi

step "GUI start (fresh data directory, offscreen, 8 s)"
# A fresh directory shows the first-run dialog and waits for the user: alive at the timeout means it started.
t0=$(now)
set +e
FIELDAPP_DATA_DIR="$work/fresh" timeout 8 "$exe" >"$work/gui.out" 2>"$work/last.err"
rc=$?
set -e
[ "$rc" = 124 ] || fail "the GUI exited with $rc before the timeout (124 expected: still running)"
! grep -q "Traceback" "$work/last.err" || fail "the GUI printed a Python traceback"
echo "   still running after 8 s (stopped by timeout)"

echo "SMOKE OK: $bundle"
