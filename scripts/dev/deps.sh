#!/usr/bin/env bash
# deps.sh — make sure the build and test dependencies are installed
# (Debian/Ubuntu): `make deps` runs it and installs what is missing with
# apt-get (through sudo when not root); when it cannot, it prints the exact
# command to run and fails. `deps.sh --check` (make test) installs nothing: it
# names the tools the tests need that are missing, and fails if one is.
set -u
if [ "${1:-}" = --check ]; then
    missing=""
    for t in tmux jq; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
    if [ -n "$missing" ]; then
        echo "make test needs:$missing (Debian/Ubuntu: apt-get install$missing); make deps installs it" >&2
        exit 1
    fi
    command -v mandoc >/dev/null 2>&1 || echo "note: mandoc is not installed: the man page's lint check is skipped (make deps installs it)" >&2
    exit 0
fi
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# Open MPI is optional for a build (without it, no data-parallel training) but the tests use it
for p in build-essential pkg-config libopenblas-dev liblua5.4-dev libreadline-dev libncurses-dev tmux mandoc jq \
         libopenmpi-dev openmpi-bin; do
    have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "rnnscope needs: ${need[*]} (pkg-config names: openblas lua5.4 readline ncursesw); install them with your package manager" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
        echo "missing packages; run: sudo apt-get update && sudo $cmd" >&2
        exit 1
    fi
fi
echo "installing: ${need[*]}" >&2
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo $cmd -qq; } >&2; then
    echo "could not install packages; run: sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
