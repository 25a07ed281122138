#!/usr/bin/env bash
# Plume's benchmarks, one command each (see BENCHMARKS.md):
#
#   agent-tests/run-benchmarks.sh            side by side: no agent, Plume, OpenTelemetry Java agent (~15 min
#                                            with the Spring app, build included; timed 2026-12-01)
#   agent-tests/run-benchmarks.sh --quick    the same, a few seconds per measurement (~2.5 min; checks it all runs)
#   agent-tests/run-benchmarks.sh --jmh      JMH micro-benchmarks with the GC profiler (~4 min)
#   agent-tests/run-benchmarks.sh --exit-times   exit time of a short traced program per kind of backend (~3 min)
#   agent-tests/run-benchmarks.sh --interleaved 6   throughput only, every configuration's http-app running at once
#                                            and loaded in turn, 6 cycles (~12 min with --warmup-seconds 3
#                                            --seconds 6): ratios to no agent a minute apart, not a round apart
#   agent-tests/run-benchmarks.sh --profile cpu  async-profiler (from Maven Central) on http-app's /chain under load,
#                                            no agent and Plume (--configs none,plume,otel adds OpenTelemetry),
#                                            summarized per request; also alloc and lock, and --profile-path /hello
#                                            (~2 min per configuration)
#
# Other options: --offline (Maven -o), --skip-build (reuse the last build), --rounds N, --configs none,plume[,otel];
# after --jmh, any JMH option (e.g. --jmh SpanRecording -f 2).
# Builds the agent and the sample apps with the bench profile, which also fetches the released OpenTelemetry Java
# agent (otel.javaagent.version in the root pom) from Maven Central. Results go to agent-tests/target/bench/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mode=side-by-side
build=1
mvn_flags=(-B -q)
args=()
event=cpu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jmh) mode=jmh ;;
    --exit-times) mode=exit-times ;;
    --profile) mode=profile; event=${2:-cpu}; [[ $# -gt 1 ]] && shift ;;
    --offline) mvn_flags+=(-o) ;;
    --skip-build) build=0 ;;
    *) args+=("$1") ;;
  esac
  shift
done

cd "$root"
if [[ $build == 1 ]]; then
  echo "[bench] building (mvn -Pbench package -DskipTests)" >&2
  mvn "${mvn_flags[@]}" -Pbench package -DskipTests
fi

bench=$here/target/bench
# Run from a copy, so that another build of the same tree (a clean, a test run) cannot pull classes away mid-run.
run=$bench/run
rm -rf "$run"
mkdir -p "$run/lib"
cp -r "$here/target/test-classes" "$run/classes"
IFS=: read -r -a entries < "$bench/classpath.txt" || true  # no newline at the end of the file
classpath=$run/classes
for entry in "${entries[@]}"; do
  if [[ -f $entry ]]; then
    copy=$run/lib/$(printf '%03d' "${#classpath}")-$(basename "$entry")
    cp "$entry" "$copy"
    classpath=$classpath:$copy
  elif [[ -d $entry ]]; then
    copy=$run/lib/$(printf '%03d' "${#classpath}")-$(basename "$entry")
    cp -r "$entry" "$copy"
    classpath=$classpath:$copy
  fi
done
cp agent-dist/target/plume-agent.jar "$bench/opentelemetry-javaagent.jar" \
   smoke-apps/http-app/target/http-app.jar smoke-apps/hello-app/target/hello-app.jar \
   smoke-apps/spring-boot3-tomcat-app/target/spring-boot3-tomcat-app.jar "$run/"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# What was measured: the commit and whether the tree had uncommitted changes (read-only git commands).
{
  echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)," \
       "$(git -C "$root" status --porcelain 2>/dev/null | wc -l | tr -d ' ') uncommitted file(s)," \
       "plume-agent.jar built $(date -u -r "$run/plume-agent.jar" +%Y-%m-%dT%H:%M:%SZ)"
} > "$run/build-info.txt"
if [[ $mode == exit-times ]]; then
  exec "$java" -cp "$classpath" dev.plume.tests.bench.ExitTimes --agent "$run/plume-agent.jar" \
    --app "$run/http-app.jar" ${args[@]+"${args[@]}"}
fi
if [[ $mode == jmh ]]; then
  exec "$java" -cp "$classpath" org.openjdk.jmh.Main -prof gc -rf json -rff "$bench/jmh-result.json" \
    ${args[@]+"${args[@]}"}
fi
if [[ $mode == profile ]]; then
  # the event follows --profile (cpu, alloc or lock); only none and plume unless --configs says otherwise
  case "$(uname -m)" in aarch64|arm64) arch=linux-arm64 ;; *) arch=linux-x64 ;; esac
  cp "$bench/async-profiler/$arch/libasyncProfiler.so" "$run/"
  configs=(--configs none,plume)
  for arg in ${args[@]+"${args[@]}"}; do [[ $arg == --configs ]] && configs=(); done
  exec "$java" -cp "$classpath" dev.plume.tests.bench.SideBySide \
    --plume-agent "$run/plume-agent.jar" --otel-agent "$run/opentelemetry-javaagent.jar" \
    --http-app "$run/http-app.jar" --hello-app "$run/hello-app.jar" --profiler-lib "$run/libasyncProfiler.so" \
    --build-info "$run/build-info.txt" --out "$bench" ${configs[@]+"${configs[@]}"} --profile "$event" ${args[@]+"${args[@]}"}
fi
exec "$java" -cp "$classpath" dev.plume.tests.bench.SideBySide \
  --plume-agent "$run/plume-agent.jar" --otel-agent "$run/opentelemetry-javaagent.jar" \
  --http-app "$run/http-app.jar" --hello-app "$run/hello-app.jar" --spring-app "$run/spring-boot3-tomcat-app.jar" \
  --build-info "$run/build-info.txt" --out "$bench" ${args[@]+"${args[@]}"}
