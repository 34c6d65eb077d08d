#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, then smoke-run what was built:
# the command line answers, and the app opens its window offscreen and loads its
# models (`musevae --self-test`). Not part of CI (it takes minutes and ~1 GB).
#
#   pip install pyinstaller && packaging/build.sh      -> build/dist/musevae/musevae
set -euo pipefail
cd "$(dirname "$0")/.."

python -m PyInstaller --noconfirm --clean \
  --distpath build/dist --workpath build/pyinstaller packaging/musevae.spec

app=build/dist/musevae/musevae
echo "== smoke: $app --version"
"$app" --version
echo "== smoke: $app data list"
"$app" data list >/dev/null
echo "== smoke: $app --self-test (offscreen)"
QT_QPA_PLATFORM=offscreen "$app" --self-test
echo "built and smoke-tested: $app ($(du -sh build/dist/musevae | cut -f1))"
