package bench;

import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * mongo-java-server in memory on 127.0.0.1:PORT, reporting MongoDB 4.4
 * (wire version 9): pymongo 4 refuses servers below wire version 9, and
 * the server's own newest setting reports 8.
 *
 *   java -Xmx512m -jar mongo-java-launcher.jar PORT
 *
 * Prints "listening 127.0.0.1:PORT" once it accepts connections; stops on
 * SIGTERM or SIGINT.
 */
public final class MongoJavaServer {
	/** MongoDB 4.4: wire version 9. */
	private static final MongoVersion MONGO_4_4 = new MongoVersion() {
		@Override
		public List<Integer> getVersionArray() {
			return List.of(4, 4, 0);
		}

		@Override
		public int getWireVersion() {
			return 9;
		}
	};

	private MongoJavaServer() {
	}

	public static void main(String[] args) {
		if (args.length != 1 || !args[0].matches("[1-9][0-9]{0,4}")) {
			System.err.println("usage: MongoJavaServer PORT");
			System.exit(2);
		}
		int port = Integer.parseInt(args[0]);
		MemoryBackend backend = new MemoryBackend();
		backend.version(MONGO_4_4);
		MongoServer server = new MongoServer(backend);
		server.bind("127.0.0.1", port);
		Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
		System.out.println("listening 127.0.0.1:" + port);
		System.out.flush();
	}
}
