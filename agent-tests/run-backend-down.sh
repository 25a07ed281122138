#!/usr/bin/env bash
# Issue 4's proof, as a load run: http-app under Plume with a fixed concurrent load while the OTLP backend is up,
# then while it is down (a closed port) for the whole window. Reports the application's requests/s and latency, and
# the JVM's heap after a full GC and its resident memory, for each. Interleaves the cases over several rounds.
#
#   agent-tests/run-backend-down.sh [--skip-build] [--seconds 30] [--rounds 2] [--path /hello] [--cases up,down]
#                                   [--sample-seconds N]
#
# --sample-seconds N prints, every N seconds of the load window, the app's resident memory and heap in use, and at the
# end the JVM's native memory summary as a difference from the window's start (Native Memory Tracking), which says
# where resident memory went: a 10-minute outage is `--cases down --seconds 600 --rounds 1 --sample-seconds 30`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
build=1; seconds=30; rounds=2; path=/hello; cases=up,down; sample=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0 ;;
    --seconds) seconds=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --path) path=$2; shift ;;
    --cases) cases=$2; shift ;;
    --sample-seconds) sample=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ $build == 1 ]]; then
  mvn -B -q -Pbench package -DskipTests
fi
cp="agent-tests/target/test-classes:$(cat agent-tests/target/bench/classpath.txt)"
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

await_port() { # file -> port from its "LISTENING <port>" line, within 60 s
  for _ in $(seq 600); do
    if grep -q '^LISTENING ' "$1" 2>/dev/null; then grep -m1 '^LISTENING ' "$1" | cut -d' ' -f2; return; fi
    sleep 0.1
  done
  echo "no LISTENING line in $1" >&2; cat "$1" >&2; exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_case() { # up|down
  local case=$1 endpoint receiver_pid=""
  if [[ $case == up ]]; then
    (sleep 100000 | java -cp "$cp" dev.plume.tests.bench.CountingOtlpReceiver > "$out/receiver.out" 2>&1) &
    receiver_pid=$!
    endpoint="http://127.0.0.1:$(await_port "$out/receiver.out")"
  else
    endpoint="http://127.0.0.1:$(free_port)"  # nothing listens there: connection refused for the whole window
  fi
  local nmt=()
  [[ $sample -gt 0 ]] && nmt=(-XX:NativeMemoryTracking=summary)
  java -Xms256m -Xmx256m ${nmt[@]+"${nmt[@]}"} -Dsun.net.httpserver.nodelay=true -Dapp.port=0 \
    -javaagent:agent-dist/target/plume-agent.jar -Dotel.exporter.otlp.endpoint="$endpoint" \
    -Dotel.bsp.schedule.delay=200 -Dotel.service.name=backend-down-bench \
    -jar smoke-apps/http-app/target/http-app.jar > "$out/app.out" 2> "$out/app.err" &
  local app_pid=$!
  local app_port; app_port=$(await_port "$out/app.out")
  local result sampler_pid=""
  if [[ $sample -gt 0 ]]; then
    ( sleep 5; jcmd "$app_pid" VM.native_memory baseline > /dev/null
      for t in $(seq "$sample" "$sample" "$seconds"); do
        sleep "$sample"
        echo "sample case=$case t=${t}s rss_kb=$(grep VmRSS /proc/"$app_pid"/status | grep -oE '[0-9]+')" \
          "heap_used_kb=$(jcmd "$app_pid" GC.heap_info | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+')"
      done ) &
    sampler_pid=$!
  fi
  result=$(java -cp "$cp" dev.plume.tests.bench.LoadGenerator --port "$app_port" --path "$path" --connections 4 \
    --warmup-seconds 5 --seconds "$seconds" | grep '^RESULT')
  if [[ -n $sampler_pid ]]; then
    wait "$sampler_pid" 2>/dev/null || true
    jcmd "$app_pid" VM.native_memory summary.diff | grep -E 'Total|^-' | sed "s/^/nmt case=$case /"
  fi
  jcmd "$app_pid" GC.run > /dev/null
  local heap rss
  heap=$(jcmd "$app_pid" GC.heap_info | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+')
  rss=$(grep VmRSS /proc/"$app_pid"/status | grep -oE '[0-9]+')
  echo "case=$case ${result#RESULT } heap_used_after_gc_kb=$heap rss_kb=$rss agent_log_lines=$(grep -c '^plume' "$out/app.err" || true)"
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true
  if [[ -n $receiver_pid ]]; then pkill -P "$receiver_pid" 2>/dev/null || true; kill "$receiver_pid" 2>/dev/null || true; fi
}

for round in $(seq "$rounds"); do
  for case in ${cases//,/ }; do
    run_case "$case"
  done
done
