#!/usr/bin/env bash
# `make demo [ARGS="--train --port N"]`: starts a real VS Code (code-server, bound to 127.0.0.1)
# with the Tool-N1 Studio .vsix installed and a copy of examples/ open, and prints the URL to open.
#   --train     also start a tiny GRPO/SFT run (examples/train/tiny-grpo.yaml) so the Runs view and
#               the dashboard show live charts within a minute
#   --port N    port to listen on (default: a free one)
# Ctrl-C stops code-server and the training run. Everything lives in the state folder .e2e/demo/
# (TOOLN1_DEMO_STATE names another): user data, extensions, code-server's config, and the workspace
# examples/ (copied afresh at each start; its runs/ and the tiny model its configs name are kept).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
train=0
port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --train) train=1 ;;
    --port) port="$2"; shift ;;
    --port=*) port="${1#--port=}" ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (use --train, --port N)" >&2; exit 2 ;;
  esac
  shift
done

py="$root/.venv/bin/python"
state="${TOOLN1_DEMO_STATE:-$root/.e2e/demo}"
vsix="$root/dist-vsix/tool-n1-studio.vsix"
ws="$state/examples"
mkdir -p "$state/user-data/User" "$state/user-data/Machine" "$state/extensions" "$ws"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

# 1. What the command line sees in examples/ (the same checks the editor shows).
say "== tooln1 check examples/tools examples/data (the broken.* files are broken on purpose)"
if [ -f dist/cli.js ]; then
  node dist/cli.js check examples/tools examples/data 2>&1 | grep -E '(error|warning) ' | head -n 8 || true
  node dist/cli.js check examples/tools examples/data 2>&1 | tail -n 1 || true
  say "== tooln1 score examples/e2e/completions.jsonl (the Tool-N1 reward, one line per completion)"
  node dist/cli.js score examples/e2e/completions.jsonl 2>&1 | head -n 8 || true
else
  echo "(dist/cli.js not built: run 'make build')"
fi
echo

# 2. code-server and the .vsix users install (rebuilt when the sources are newer).
entry="$(scripts/install-code-server.sh | tail -n 1)"
if [ ! -f "$vsix" ] || [ -n "$(find src language-server webview trainer/src package.json .vscodeignore scripts/package.mjs -newer "$vsix" -type f -print -quit 2>/dev/null)" ]; then
  say "== packaging the extension (make package)"
  node scripts/package.mjs >"$state/vsce.log" 2>&1 || { cat "$state/vsce.log"; exit 1; }
fi
# code-server and the VS Code inside it write under HOME and XDG folders: keep them in the state folder.
export HOME="$state/home" XDG_CONFIG_HOME="$state/home/.config" XDG_DATA_HOME="$state/home/.local/share" XDG_CACHE_HOME="$state/home/.cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
common=(--user-data-dir "$state/user-data" --extensions-dir "$state/extensions" --config "$state/config.yaml")
printf 'auth: none\ncert: false\n' >"$state/config.yaml"
# The interpreter path is machine-scoped: set here, never by the workspace.
printf '{\n  "tooln1.pythonPath": "%s"\n}\n' "$py" >"$state/user-data/Machine/settings.json"
# The workspace sits inside this repository's folder: git must not offer to open the parent repository.
[ -f "$state/user-data/User/settings.json" ] || printf '{\n  "workbench.startupEditor": "none",\n  "telemetry.telemetryLevel": "off",\n  "update.mode": "none",\n  "extensions.autoCheckUpdates": false,\n  "git.openRepositoryInParentFolders": "never"\n}\n' >"$state/user-data/User/settings.json"
node "$entry" "${common[@]}" --install-extension "$vsix" --force >"$state/install.log" 2>&1 || { cat "$state/install.log"; exit 1; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 3. The workspace: a fresh copy of examples/ and the tiny model its training configs name
#    (examples/tiny-model, built once per state folder).
(cd examples && tar --exclude=./runs --exclude=./tiny-model --exclude=./.tooln1-cache -cf - .) | (cd "$ws" && tar -xf -)
if [ ! -f "$ws/tiny-model/config.json" ]; then
  say "== building the tiny model the training configs name ($ws/tiny-model)"
  rm -rf "$ws/tiny-model.tmp"
  "$py" -m tooln1 make-tiny-model --out "$ws/tiny-model.tmp" >"$state/tiny-model.log" 2>&1 || { cat "$state/tiny-model.log"; exit 1; }
  mv "$ws/tiny-model.tmp" "$ws/tiny-model"
fi

# 4. Optional live run, started before the window opens so the Runs view finds it.
if [ "$train" = 1 ]; then
  run="$ws/runs/demo-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$ws/runs"
  say "== training: $run (log: $state/train.log)"
  # the token (recorded in run.json) proves to the window that this process is the run's trainer, so
  # it may follow and cancel it; setsid gives it its own process group
  token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  TOOLN1_RUN_TOKEN="$token" setsid "$py" -m tooln1 train --config "$ws/train/tiny-grpo.yaml" --run-dir "$run" >"$state/train.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do [ -f "$run/run.json" ] && break; kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 20 "$state/train.log"; exit 1; }; sleep 0.5; done
fi

# 5. code-server on 127.0.0.1 only.
[ -n "$port" ] || port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
setsid node "$entry" "${common[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-getting-started-override >"$state/code-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "HTTP server listening" "$state/code-server.log" 2>/dev/null && break; kill -0 "${pids[-1]}" 2>/dev/null || { cat "$state/code-server.log"; exit 1; }; sleep 0.5; done
folder="$ws"
url="http://127.0.0.1:$port/?folder=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$folder")"
echo
say "Tool-N1 Studio is running in VS Code (code-server) at:"
echo
echo "    $url"
echo
echo "Open it in a browser on this machine (or forward the port: ssh -L $port:127.0.0.1:$port HOST)."
echo "Trust the folder when asked; the Tool-N1 icon in the activity bar has the Runs view."
[ "$train" = 1 ] && echo "A tiny training run is live: click it in the Runs view to open its dashboard."
echo "Try: open examples/e2e/broken.tools.json (Problems panel, quick fix), hover a tool name."
echo "Ctrl-C stops everything. Logs: $state/"
if [ -n "${TOOLN1_DEMO_EXIT_AFTER_START:-}" ]; then exit 0; fi # for tests: start, print, stop
wait "${pids[-1]}"
