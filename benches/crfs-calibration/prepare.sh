#!/bin/sh
# Copy crfs 0.4.1 from cargo's registry and apply the gradient patch (see Cargo.toml).
set -eu
cd "$(dirname "$0")"
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/crfs-0.4.1 | head -1)
rm -rf crfs-0.4.1-patched
cp -r "$src" crfs-0.4.1-patched
chmod -R u+w crfs-0.4.1-patched
(cd crfs-0.4.1-patched && patch -p1 < ../crfs-lbfgs-gradient.patch)
