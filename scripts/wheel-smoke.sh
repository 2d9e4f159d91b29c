#!/usr/bin/env bash
# The wheel, as a user installs it: build it from the checkout, install it into a fresh venv in a
# temporary folder and run the README's commands from a folder outside the checkout (instruments,
# samples, scoring, the database, an export and the app's health check).
#
#   bash scripts/wheel-smoke.sh [PYTHON]    (make wheel-smoke; PYTHON: the dev venv's python)
#
# Dependencies: by default the wheel is installed with its dependencies from the package index,
# exactly as `pip install cocreate-*.whl` (about 1.5 minutes of the run's 2.5, network needed).
# WHEEL_SMOKE_DEPS=dev (offline, about 1 minute in all) installs the wheel alone (--no-deps) and
# lets the fresh venv see the dev venv's site-packages through a .pth line; the dev venv's own .pth
# files, such as its editable cocreate, are not run, so every cocreate file still comes from the
# wheel, and the wheel's declared dependencies are checked to be present there. That mode cannot
# notice an import of a package that is installed for development but not declared.
set -euo pipefail

PYTHON=${1:-.venv/bin/python}
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cocreate-wheel-smoke.XXXXXX")
APP_PID=""
START=$SECONDS

cleanup() {
    if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
        kill "$APP_PID" 2>/dev/null || true
        wait "$APP_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

step() { printf '\n==> [%3ds] %s\n' "$((SECONDS - START))" "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }

# Nothing of the caller's configuration leaks in; the per-user data folder lies in $TMP
# (platformdirs follows XDG_DATA_HOME on Linux, where this script runs).
unset COCREATE_DATABASE_URL COCREATE_INSTRUMENTS_DIR COCREATE_DATA_DIR COCREATE_HOST COCREATE_PORT
export XDG_DATA_HOME="$TMP/xdg" PIP_DISABLE_PIP_VERSION_CHECK=1

step "build the wheel from $CHECKOUT"
run "$PYTHON" -m pip wheel "$CHECKOUT" --no-deps --quiet -w "$TMP/dist"
WHEEL=$(ls "$TMP"/dist/cocreate-*.whl)
echo "$WHEEL"
# Build artefacts of setuptools' in-tree build are not left in the checkout.
rm -rf "$CHECKOUT/build" "$CHECKOUT"/*.egg-info

step "install it into a fresh venv ($TMP/venv)"
run "$PYTHON" -m venv "$TMP/venv"
VPY="$TMP/venv/bin/python"
if [[ "${WHEEL_SMOKE_DEPS:-index}" != dev ]]; then
    run "$VPY" -m pip install --quiet "$WHEEL"
else
    run "$VPY" -m pip install --quiet --no-deps "$WHEEL"
    DEV_SITE=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    VENV_SITE=$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "dependencies from $DEV_SITE"
    echo "$DEV_SITE" > "$VENV_SITE/_cocreate_smoke_dependencies.pth"
    run "$VPY" -c 'import importlib.metadata as m, sys
from packaging.requirements import Requirement
missing = []
for text in m.requires("cocreate") or []:
    req = Requirement(text)
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        version = m.version(req.name)
    except m.PackageNotFoundError:
        missing.append(f"{req} (not installed)")
        continue
    if not req.specifier.contains(version, prereleases=True):
        missing.append(f"{req} (found {version})")
print("declared dependencies: " + ("missing " + ", ".join(missing) if missing else "all present"))
sys.exit(1 if missing else 0)'
fi
COCREATE="$TMP/venv/bin/cocreate"

mkdir -p "$TMP/work"
cd "$TMP/work"
step "the package comes from the wheel, not the checkout (cwd $PWD)"
run "$VPY" -c 'import importlib.util, sys
import survey
from survey.instrument.registry import instruments_dir
from survey.settings import data_dir, in_checkout
app = importlib.util.find_spec("streamlit_app").origin
print("survey:", survey.__file__); print("instruments:", instruments_dir())
print("app:", app); print("data folder:", data_dir(), "(checkout)" if in_checkout() else "")
venv = sys.prefix
assert all(p.startswith(venv) for p in (survey.__file__, str(instruments_dir()), app)), venv
assert not in_checkout() and str(data_dir()).startswith(sys.argv[1]), data_dir()' "$XDG_DATA_HOME"

step "cocreate validate"
run "$COCREATE" validate
step "cocreate instruments list"
run "$COCREATE" instruments list | sed -n 1,4p
step "cocreate samples . and cocreate score (the README's first look)"
run "$COCREATE" samples .
run "$COCREATE" score answers.csv --instrument cocreation-readiness --id-column respondent_id \
    --out scores | sed -n 1,10p
test -s scores/scores.csv
step "cocreate db upgrade: the default database in the per-user data folder"
run "$COCREATE" db upgrade
test -s "$XDG_DATA_HOME/cocreate/cocreate.db" && ls -l "$XDG_DATA_HOME/cocreate/cocreate.db"
step "cocreate setup --db sqlite:///$TMP/x.db"
run "$COCREATE" setup --db "sqlite:///$TMP/x.db" --organizations 12 | sed -n 1,3p
step "cocreate export --format sav"
run "$COCREATE" export --format sav --db "sqlite:///$TMP/x.db" --out "$TMP/export"
ls "$TMP/export"
ls "$TMP"/export/*.sav > /dev/null
test -s "$XDG_DATA_HOME/cocreate/pseudonym.key"

PORT=$("$VPY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "cocreate app --port $PORT, then its health check"
"$COCREATE" app --port "$PORT" --db "sqlite:///$TMP/x.db" > "$TMP/app.log" 2>&1 &
APP_PID=$!
HEALTH=""
for _ in $(seq 1 120); do
    HEALTH=$("$VPY" -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())
except OSError:
    pass' "http://127.0.0.1:$PORT/_stcore/health")
    [[ "$HEALTH" == ok ]] && break
    kill -0 "$APP_PID" 2>/dev/null || break
    sleep 0.5
done
cat "$TMP/app.log"
echo "health: ${HEALTH:-no answer}"
[[ "$HEALTH" == ok ]]
step "stop the app"
kill "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
APP_PID=""

step "wheel smoke test passed in $((SECONDS - START)) s"
