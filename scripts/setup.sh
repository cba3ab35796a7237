#!/usr/bin/env bash
# Install what Spantag needs on Debian 12 (and Ubuntu): the libraries the window loads at run
# time (X11, OpenGL through Mesa, so it also runs on machines without a GPU), zenity for file
# dialogs on desktops without an XDG portal, a C toolchain for building, and with --test the
# virtual X server the test script uses. Only missing packages are installed.
set -euo pipefail

packages=(
  # build
  build-essential pkg-config ca-certificates curl
  # window: X11 + OpenGL (Mesa's software renderer where there is no GPU)
  libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 libgl1 libegl1 libgl1-mesa-dri
  # native file dialogs when no XDG desktop portal runs
  zenity
)
if [ "${1:-}" = "--test" ]; then
  packages+=(xvfb xauth)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's own cargo is too old for this crate (edition 2024): use rustup's stable toolchain.
if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    echo "setup: installing the Rust toolchain with rustup" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
      --component clippy,rustfmt
  }
fi
