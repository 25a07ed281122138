package dev.plume.tests.smoke;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/** Finds the JDKs (17 or newer) that smoke tests run on: the one running the tests plus those under /usr/lib/jvm. */
public final class InstalledJdks {

    private static final int MINIMUM_FEATURE = 17;
    private static final Path SYSTEM_JVMS = Path.of("/usr/lib/jvm");

    private InstalledJdks() {
    }

    /** The running JDK first, then the others in name order, each once however many links point to it. */
    public static List<Jdk> all() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home")));
        if (Files.isDirectory(SYSTEM_JVMS)) {
            try (Stream<Path> homes = Files.list(SYSTEM_JVMS)) {
                homes.sorted().forEach(candidates::add);
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + SYSTEM_JVMS, e);
            }
        }
        Map<Path, Jdk> byRealPath = new LinkedHashMap<>();
        for (Path candidate : candidates) {
            usableJdk(candidate).ifPresent(jdk -> byRealPath.putIfAbsent(jdk.home(), jdk));
        }
        if (byRealPath.isEmpty()) {
            throw new IllegalStateException("no JDK " + MINIMUM_FEATURE + "+ found, not even java.home");
        }
        return List.copyOf(byRealPath.values());
    }

    private static Optional<Jdk> usableJdk(Path home) {
        try {
            Path realHome = home.toRealPath();
            Path release = realHome.resolve("release");
            if (!Files.isRegularFile(release) || !Files.isExecutable(realHome.resolve("bin").resolve("java"))) {
                return Optional.empty();
            }
            String version = javaVersion(release);
            if (version == null || Jdk.featureOf(version) < MINIMUM_FEATURE) {
                return Optional.empty();
            }
            return Optional.of(new Jdk(realHome, version));
        } catch (IOException | NumberFormatException e) {
            // A broken link or an odd release file is not a JDK we can run on.
            return Optional.empty();
        }
    }

    private static String javaVersion(Path release) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(release, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String quoted = properties.getProperty("JAVA_VERSION");
        return quoted == null ? null : quoted.replace("\"", "").strip();
    }
}
