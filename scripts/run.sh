#!/usr/bin/env bash
# Set up the machine (first run only) and open Spantag on the sample project, or on the project
# given as argument.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -- "$@"
