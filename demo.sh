#!/usr/bin/env bash
# Builds the agent and the sample app, then runs the app under the agent with the console exporter: the app drives a
# few requests against itself and each trace is printed as a tree with timing bars. No backend needed.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -DskipTests package
exec java -javaagent:agent-dist/target/plume-agent.jar \
  -Dotel.service.name=plume-demo \
  -Dotel.traces.exporter=console \
  -Dotel.bsp.schedule.delay=200 \
  -jar smoke-apps/http-app/target/http-app.jar --demo
