#!/usr/bin/env bash
# Installs code-server (a real VS Code, served to a browser) for the end-to-end tests and `make demo`,
# offline from the npm registry (steps in docs/e2e.md). Idempotent: returns at once
# when the install is complete. The install lives in a cache shared by every clone on the machine
# ($TOOLN1_E2E_CACHE, default $HOME/.cache/tooln1-e2e, keyed by version); .e2e/code-server links to it.
# Prints the path of the code-server launcher on its last line.
set -euo pipefail
VERSION=4.100.3
root="$(cd "$(dirname "$0")/.." && pwd)"
cache_base="${TOOLN1_E2E_CACHE:-$HOME/.cache/tooln1-e2e}"
if ! mkdir -p "$cache_base" 2>/dev/null || [ ! -w "$cache_base" ]; then
  cache_base="$root/.e2e/cache" # no writable home: keep it inside the clone
fi
dir="$cache_base/code-server-$VERSION"
link="$root/.e2e/code-server"
bin="$dir/node_modules/code-server/out/node/entry.js"
stamp="$dir/.installed"

link_it() {
  mkdir -p "$root/.e2e"
  if [ "$(readlink "$link" 2>/dev/null)" != "$dir" ]; then
    rm -rf "$link"
    ln -s "$dir" "$link"
  fi
  echo "$bin"
}

if [ -f "$stamp" ] && [ -f "$bin" ]; then
  link_it
  exit 0
fi

# One installer at a time per cache (two clones may start `make test` together).
mkdir -p "$cache_base"
exec 9>"$cache_base/.lock-$VERSION"
flock 9
if [ -f "$stamp" ] && [ -f "$bin" ]; then
  link_it
  exit 0
fi

echo "install-code-server: installing code-server $VERSION into $dir (several minutes, once per machine)" >&2
# Debian packages: libkrb5-dev builds code-server's kerberos module, ripgrep replaces the binary
# @vscode/ripgrep would download.
flock /tmp/apt.lock "$root/scripts/ensure-debs.sh" >&2

rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
# Its own folder and package.json, so no project's .npmrc or lockfile applies.
printf '{ "name": "tooln1-e2e-code-server", "private": true }\n' > package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION" >&2

cd "$dir/node_modules/code-server/lib/vscode"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild --loglevel=error >&2

# argon2 (code-server's password hashing, loaded even with --auth none) is hoisted to the top.
cd "$dir"
npm rebuild argon2 --loglevel=error >&2
cd "$dir/node_modules/code-server/lib/vscode"
[ -e node_modules.asar ] || ln -s node_modules node_modules.asar

# Proof it runs before calling it installed.
node "$bin" --version >&2
touch "$stamp"
link_it
