package accountgraph.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Starts Neo4j Community embedded, with only a Bolt connector on 127.0.0.1, for tests and local use.
 *
 * <pre>
 *   java -cp 'target/classes:target/lib/*' accountgraph.neo4j.Neo4jLauncher [PORT] [DATADIR]
 * </pre>
 *
 * <ul>
 *   <li>PORT: Bolt port on 127.0.0.1; absent or 0 picks a free port.</li>
 *   <li>DATADIR: Neo4j home directory (data/ and logs/ are created in it, kept on exit);
 *       absent or empty uses a fresh temporary directory that is deleted on exit.</li>
 * </ul>
 *
 * <p>Authentication is disabled. Once the default database is available and Bolt accepts
 * connections, exactly one line {@code NEO4J_READY bolt://127.0.0.1:PORT} is printed to stdout.
 * Nothing else is ever written to stdout: Neo4j's user log goes to stderr, its debug log to
 * DATADIR/logs/debug.log. The process then runs until stdin reaches end-of-file or it gets
 * SIGTERM/SIGINT; either way the DBMS is shut down cleanly. With the environment variable
 * {@code NEO4J_LAUNCHER_STDIN=ignore} stdin is not watched (for running detached with
 * {@code </dev/null}, or as a background job of an interactive shell).
 */
public final class Neo4jLauncher {

    private static final String HOST = "127.0.0.1";

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        // Keep the real stdout for the READY line only; anything else that writes to
        // System.out (libraries, stray prints) ends up on stderr.
        final PrintStream stdout = System.out;
        System.setOut(System.err);

        int port = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 0;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (port == 0) {
            port = freePort();
        }

        final boolean tempHome = args.length < 2 || args[1].isBlank();
        final Path home = tempHome
                ? Files.createTempDirectory("accountgraph-neo4j-")
                : Paths.get(args[1]).toAbsolutePath();
        Files.createDirectories(home);

        // Registered before the DBMS is built, so that a failed start (e.g. port in use)
        // still cleans up a temporary home directory.
        final AtomicReference<DatabaseManagementService> dbmsRef = new AtomicReference<>();
        final AtomicBoolean stopped = new AtomicBoolean(false);
        final Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            final DatabaseManagementService running = dbmsRef.get();
            if (running != null) {
                try {
                    running.shutdown();
                } catch (Throwable t) {
                    System.err.println("Neo4jLauncher: shutdown failed: " + t);
                }
            }
            if (tempHome) {
                deleteRecursively(home);
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-launcher-shutdown"));

        final SocketAddress bolt = new SocketAddress(HOST, port);
        final long t0 = System.nanoTime();
        final DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setUserLogProvider(new Log4jLogProvider(System.err, Level.WARN))
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, bolt)
                    .setConfig(BoltConnector.advertised_address, bolt)
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(BoltConnector.thread_pool_min_size, 1)
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    // run.sh sizes the page cache from the machine (NEO4J_PAGECACHE_MB); 64 MiB without it
                    .setConfig(GraphDatabaseSettings.pagecache_memory,
                            ByteUnit.mebiBytes(Long.getLong("accountgraph.pagecache.mb", 64L)))
                    .setConfig(GraphDatabaseSettings.tx_state_max_off_heap_memory, ByteUnit.mebiBytes(64))
                    // what all transactions may hold at once: Neo4j's default (70% of the heap) unless a test
                    // server sets a small one to run out of it quickly (-Daccountgraph.tx.total.max.mb=N)
                    .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
                            Long.getLong("accountgraph.tx.total.max.mb") == null ? null
                                    : ByteUnit.mebiBytes(Long.getLong("accountgraph.tx.total.max.mb")))
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(1))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                    // Netty's graceful shutdown waits a 5 s quiet period per event loop group
                    // (about 10 s in all); a test server has nothing to drain.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
                    .build();
        } catch (Throwable t) {
            System.err.println("Neo4jLauncher: failed to start Neo4j on " + bolt + ":");
            t.printStackTrace();
            System.exit(1);
            return;
        }
        dbmsRef.set(dbms);

        final GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(Duration.ofMinutes(2).toMillis())) {
            System.err.println("Neo4jLauncher: database did not become available");
            System.exit(1);
        }
        waitForBolt(port, Duration.ofMinutes(1));

        System.err.printf("Neo4jLauncher: started in %.1f s, home %s%s%n",
                (System.nanoTime() - t0) / 1e9, home, tempHome ? " (temporary)" : "");
        stdout.println("NEO4J_READY bolt://" + HOST + ":" + port);
        stdout.flush();

        if ("ignore".equalsIgnoreCase(System.getenv("NEO4J_LAUNCHER_STDIN"))) {
            Thread.currentThread().join(); // until a signal runs the shutdown hook
        }
        drain(System.in);
        System.exit(0); // runs the shutdown hook
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void waitForBolt(int port, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    System.err.println("Neo4jLauncher: Bolt not reachable on port " + port + ": " + e);
                    System.exit(1);
                }
                Thread.sleep(50);
            }
        }
    }

    private static void drain(InputStream in) {
        final byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // treat a broken stdin like end-of-file
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
