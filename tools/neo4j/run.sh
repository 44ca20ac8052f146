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
# Memory, sized from the memory available (MemAvailable) unless given:
#   NEO4J_HEAP_MB       the Java heap: a quarter of it, at least 512 MiB, at most 4 GiB. Transactions may hold
#                       70% of the heap (Neo4j's dbms.memory.transaction.total.max); one that runs out gets
#                       Neo.TransientError.General.MemoryPoolOutOfMemoryError, which the store reports as a clear
#                       "ran out of memory" error (API: 507), nothing written. Large imports are written in
#                       transactions of NEO4J_IMPORT_BATCH records, so they fit in a small heap too.
#   NEO4J_PAGECACHE_MB  Neo4j's page cache (the store files cached in memory, off the heap): an eighth of it,
#                       at least 64 MiB, at most 1 GiB.
#   NEO4J_JAVA_OPTS     every JVM option instead of the heap's (default: -Xms128m -Xmx<NEO4J_HEAP_MB>m).
set -euo pipefail

avail_mb=2048
if [[ -r /proc/meminfo ]]; then
  avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  [[ -n "${avail_kb:-}" ]] && avail_mb=$((avail_kb / 1024))
fi
clamp() { local v=$1; ((v < $2)) && v=$2; ((v > $3)) && v=$3; echo "$v"; }
whole() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $1 must be a whole number of MiB, not '$2'" >&2; exit 2; }; }
if [[ -n "${NEO4J_HEAP_MB:-}" ]]; then whole NEO4J_HEAP_MB "$NEO4J_HEAP_MB"; heap_mb=$NEO4J_HEAP_MB
else heap_mb=$(clamp $((avail_mb / 4)) 512 4096); fi
if [[ -n "${NEO4J_PAGECACHE_MB:-}" ]]; then whole NEO4J_PAGECACHE_MB "$NEO4J_PAGECACHE_MB"; pagecache_mb=$NEO4J_PAGECACHE_MB
else pagecache_mb=$(clamp $((avail_mb / 8)) 64 1024); fi
heap="${heap_mb} MiB"
[[ -n "${NEO4J_JAVA_OPTS:-}" ]] && heap="as NEO4J_JAVA_OPTS sets it"
echo "run.sh: heap ${heap}, page cache ${pagecache_mb} MiB" >&2

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
  -Daccountgraph.pagecache.mb="$pagecache_mb" \
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
