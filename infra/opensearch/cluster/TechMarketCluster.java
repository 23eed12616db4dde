// A small launcher over org.codelibs.opensearch.runner.OpenSearchRunner: N OpenSearch nodes in one JVM on
// loopback, with fixed HTTP and transport ports, and per-node control for fault tests.
//
//   java -cp '.cache/opensearch/lib/*:.cache/opensearch/cluster' TechMarketCluster \
//        BASE_DIR CLUSTER_NAME NODES HTTP_BASE TRANSPORT_BASE
//
// Node i (1-based) serves HTTP on HTTP_BASE + i and transport on TRANSPORT_BASE + i. Commands are files
// dropped into BASE_DIR/control: "close-<i>" closes node i (the runner's Node.close, a graceful leave),
// "start-<i>" starts it again on the same data. The launcher answers with BASE_DIR/control/nodes, one
// "<i> up|down" line per node, rewritten after every command. infra/search-cluster.sh drives it.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.node.Node;

public final class TechMarketCluster {
    private TechMarketCluster() {}

    public static void main(final String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: TechMarketCluster BASE_DIR CLUSTER_NAME NODES HTTP_BASE TRANSPORT_BASE");
            System.exit(2);
        }
        final String base = args[0];
        final String clusterName = args[1];
        final int nodes = Integer.parseInt(args[2]);
        final int httpBase = Integer.parseInt(args[3]);
        final int transportBase = Integer.parseInt(args[4]);
        final Path control = Paths.get(base, "control");
        Files.createDirectories(control);

        final List<String> seeds = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            seeds.add("127.0.0.1:" + (transportBase + i));
        }
        final OpenSearchRunner runner = new OpenSearchRunner();
        // Ports are fixed: never let the runner slide to the next free port.
        runner.setMaxHttpPort(-1);
        runner.onBuild((id, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", String.valueOf(httpBase + id));
            settings.put("transport.port", String.valueOf(transportBase + id));
            settings.putList("discovery.seed_hosts", seeds);
            // Node 1 bootstraps alone so start-up never waits for a quorum; the others join and the voting
            // configuration grows to all three, so any single node may leave without losing the majority.
            settings.putList("cluster.initial_cluster_manager_nodes", "Node 1");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "false");
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException e) {
                System.err.println("close failed: " + e);
            }
        }));
        runner.build("-basePath", base, "-numOfNode", String.valueOf(nodes), "-baseHttpPort",
                String.valueOf(httpBase), "-clusterName", clusterName);
        writeStatus(runner, control);
        System.out.println("cluster started: " + nodes + " nodes");

        while (true) {
            try (DirectoryStream<Path> commands = Files.newDirectoryStream(control, "{close,start}-*")) {
                for (final Path command : commands) {
                    handle(runner, command.getFileName().toString());
                    Files.deleteIfExists(command);
                    writeStatus(runner, control);
                }
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static void handle(final OpenSearchRunner runner, final String command) {
        final String[] parts = command.split("-", 2);
        final int index;
        try {
            index = Integer.parseInt(parts[1]) - 1;
        } catch (final NumberFormatException e) {
            System.err.println("ignored command " + command);
            return;
        }
        final Node node = runner.getNode(index);
        if (node == null) {
            System.err.println("no node " + parts[1]);
            return;
        }
        try {
            if (parts[0].equals("close")) {
                if (!node.isClosed()) {
                    node.close();
                    node.awaitClose(30, TimeUnit.SECONDS);
                }
                System.out.println("closed node " + parts[1]);
            } else if (node.isClosed()) {
                System.out.println((runner.startNode(index) ? "started node " : "could not start node ") + parts[1]);
            }
        } catch (final Exception e) {
            System.err.println(command + " failed: " + e);
            e.printStackTrace();
        }
    }

    private static void writeStatus(final OpenSearchRunner runner, final Path control) throws IOException {
        final StringBuilder status = new StringBuilder();
        for (int i = 0; i < runner.getNodeSize(); i++) {
            status.append(i + 1).append(runner.getNode(i).isClosed() ? " down\n" : " up\n");
        }
        final Path tmp = control.resolve("nodes.tmp");
        Files.write(tmp, status.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, control.resolve("nodes"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
