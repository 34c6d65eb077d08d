#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, then smoke-run what was built: the command
# line answers, and the app opens its window on a real X server with Qt's xcb platform
# and loads its models (`musevae --self-test`; under xvfb-run when there is no DISPLAY).
# CI runs this on every submission (.ci/run), with PyInstaller from requirements/ci.txt.
#
#   pip install -e ".[bundle]" && packaging/build.sh      -> build/dist/musevae/musevae
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath build/dist --workpath build/pyinstaller packaging/musevae.spec
built=$((SECONDS - started))

app=build/dist/musevae/musevae
echo "== smoke: $app --version"
"$app" --version
echo "== smoke: $app data list"
"$app" data list >/dev/null
echo "== smoke: $app --self-test (xcb)"
if [ -n "${DISPLAY:-}" ]; then
  QT_QPA_PLATFORM=xcb "$app" --self-test
else
  xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb "$app" --self-test
fi
size=$(du -sm build/dist/musevae | cut -f1)
echo "built and smoke-tested: $app (bundle ${size} MB, built in ${built} s)"
