#!/usr/bin/env bash
# Start a local Neo4j Community server (Bolt only, auth disabled) for accountgraph.
#
#   tools/neo4j/run.sh [PORT] [DATADIR]
#
# PORT 0 or absent: a free port is picked. DATADIR absent: a temporary directory,
# deleted on exit. Prints exactly one line to stdout once the server is usable:
#   NEO4J_READY bolt://127.0.0.1:PORT
# and runs until stdin is closed (Ctrl-D), or SIGINT/SIGTERM. All logs go to stderr
# and DATADIR/logs/. Set NEO4J_LAUNCHER_STDIN=ignore to run it detached (</dev/null).
# JVM options: NEO4J_JAVA_OPTS (default: a heap sized from the machine, see below).
set -euo pipefail

# The heap, and with it the memory transactions may hold (Neo4j's dbms.memory.transaction.total.max defaults
# to 70% of the heap), from the memory available: a quarter of it, at least 512 MiB, at most 4 GiB. A
# transaction that still runs out gets Neo.TransientError.General.MemoryPoolOutOfMemoryError, which the
# store reports as a clear "ran out of memory" error (API: 507); nothing is written then.
heap_mb=512
if [[ -r /proc/meminfo ]]; then
  avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  if [[ -n "${avail_kb:-}" ]]; then
    heap_mb=$((avail_kb / 1024 / 4))
    ((heap_mb < 512)) && heap_mb=512
    ((heap_mb > 4096)) && heap_mb=4096
  fi
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
main_class=accountgraph.neo4j.Neo4jLauncher
class_file="$here/target/classes/accountgraph/neo4j/Neo4jLauncher.class"

needs_build=0
if [[ ! -f "$class_file" || ! -d "$here/target/lib" ]]; then
  needs_build=1
elif [[ "$here/pom.xml" -nt "$class_file" || "$here/src/main/java/accountgraph/neo4j/Neo4jLauncher.java" -nt "$class_file" ]]; then
  needs_build=1
fi
if [[ $needs_build == 1 ]]; then
  echo "run.sh: building the Neo4j launcher (mvn package)..." >&2
  # Maven's output goes to stderr: stdout is reserved for the READY line.
  (cd "$here" && mvn -q -B package -DskipTests) >&2
fi

# The --add-opens / --enable-native-access flags are the ones the Neo4j server
# itself starts with; without them Neo4j works but logs warnings and falls back
# to slower I/O paths.
exec java \
  ${NEO4J_JAVA_OPTS:--Xms128m -Xmx${heap_mb}m} \
  -XX:+UseSerialGC \
  -XX:-OmitStackTraceInFastThrow \
  -XX:+DisableExplicitGC \
  -Djdk.nio.maxCachedBufferSize=1024 \
  -Dio.netty.tryReflectionSetAccessible=true \
  -Dlog4j2.disable.jmx=true \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --enable-native-access=ALL-UNNAMED \
  -cp "$here/target/classes:$here/target/lib/*" \
  "$main_class" "$@"
