#!/usr/bin/env bash
# What one database call costs the application's thread under an agent (BENCHMARKS.md, issue 11):
#   agent-tests/run-jdbc-allocation.sh none|plume|otel h2|postgresql|mariadb|jedis|lettuce [calls]
# jdbc-app's GET /alloc/<system> runs a prepared query (redis-app's, for jedis and lettuce: a GET) N times to warm up,
# then N times measured, inside one request (so the agents record a CLIENT span per call under its SERVER span), and
# reports bytes allocated on that thread and nanoseconds per call. Spans go to the suite's counting OTLP receiver. Needs a prior
# `agent-tests/run-benchmarks.sh` (or its build) for the receiver, the copied classpath and the OpenTelemetry agent.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
R=agent-tests/target/bench/run; CP=$R/classes:$(ls -d $R/lib/* | tr '\n' ':')
java -cp "$CP" dev.plume.tests.bench.CountingOtlpReceiver > $tmp/recv.out 2>&1 < <(sleep 60) &
sleep 1.5; rport=$(grep -o "LISTENING [0-9]*" $tmp/recv.out | cut -d' ' -f2)
common=(-Dotel.exporter.otlp.endpoint=http://127.0.0.1:$rport -Dotel.exporter.otlp.protocol=http/protobuf -Dotel.metrics.exporter=none -Dotel.logs.exporter=none -Dotel.service.name=jdbc-bench)
case $1 in
  none) agent=() ;;
  plume) agent=(-javaagent:agent-dist/target/plume-agent.jar "${common[@]}") ;;
  otel) agent=(-javaagent:$R/opentelemetry-javaagent.jar "${common[@]}") ;;
esac
case $2 in jedis|lettuce) app=redis-app ;; *) app=jdbc-app ;; esac
java ${agent[@]+"${agent[@]}"} -Xms256m -Xmx256m -Dapp.exit.on.stdin.eof=true -jar smoke-apps/$app/target/$app.jar > $tmp/app.out 2>$tmp/app.err < <(sleep 45) &
for i in $(seq 100); do grep -q LISTENING $tmp/app.out 2>/dev/null && break; sleep 0.2; done
port=$(grep -o "LISTENING [0-9]*" $tmp/app.out | cut -d' ' -f2)
echo "$1 $2 $(curl -s "localhost:$port/alloc/$2?calls=${3:-20000}")"
pkill -f $app.jar || true; pkill -f CountingOtlpReceiver || true; wait 2>/dev/null || true
