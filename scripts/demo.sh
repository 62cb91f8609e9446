#!/usr/bin/env bash
# The demo, until the desktop app lands: starts a seeded Deepen emulator on 127.0.0.1 and
# walks an annotator's offline day with the `dtasks` CLI — pull, work offline, sync once
# the network is back, every action applied exactly once (the emulator's journal shows it).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --locked -p dtasks-cli -p deepen-emulator

bin=target/debug
home=$(mktemp -d)
log=$(mktemp)
"$bin/deepen-emulator" --port 0 --seed 7 --datasets 3 --files 200 --label-datasets 1 --labels 40 >"$log" 2>/dev/null &
emulator=$!
trap 'kill $emulator 2>/dev/null; rm -rf "$home" "$log"' EXIT
until [ -s "$log" ]; do sleep 0.1; done
api=$(head -1 "$log")
control=${api%/api/v2}/_emulator
dtasks() { echo; echo "\$ dtasks $*"; "$bin/dtasks" --home "$home" "$@"; }
faults() { curl -fsS -X PUT "$control/faults" -H 'content-type: application/json' -d "$1" >/dev/null; }

echo "Deepen emulator at $api (demo data); signing in as the annotator Ana Silva."
export DEEPEN_TOKEN=tok-ana.silva
dtasks connect --server "$api" --client-id demo-client --email ana.silva@example.com
dtasks pull
dtasks datasets
dtasks tasks --mine --status ready --limit 5
mapfile -t ready < <("$bin/dtasks" --home "$home" --json tasks --mine --status ready --limit 2 |
  python3 -c 'import json,sys; [print(t["task_id"]) for t in json.load(sys.stdin)]')

echo; echo "--- the network goes away"
faults '{"offline": "drop"}'
dtasks submit "${ready[@]}"
dtasks tasks --mine --status submitted --limit 5
dtasks status
dtasks sync || echo "(exit $?: server unreachable, queue kept)"

echo; echo "--- the network is back"
faults '{}'
dtasks sync
dtasks queue --all
echo; echo "The server's journal: each submit applied exactly once."
curl -fsS "$control/journal" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    print("  #%(seq)s %(actor)s %(action)s %(task_id)s: %(from_status)s -> %(to_status)s" % e)'
