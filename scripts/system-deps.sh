#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing.
# Runs as root (CI, the developers' machines); elsewhere it says what to install.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
# the web app's browser tests drive Debian's chromium (Playwright never downloads a browser)
command -v chromium >/dev/null 2>&1 || need+=(chromium)

# rendered bodies (the render extra): off-screen OpenGL through EGL, drawn on the CPU by Mesa
for pkg in libegl1 libegl-mesa0 libgl1-mesa-dri; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done

[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages: ${need[*]} (install them as root: apt-get install ${need[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
