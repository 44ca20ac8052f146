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
# Extra JVM options: NEO4J_JAVA_OPTS (default heap -Xmx512m).
set -euo pipefail

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
  ${NEO4J_JAVA_OPTS:--Xms128m -Xmx512m} \
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
