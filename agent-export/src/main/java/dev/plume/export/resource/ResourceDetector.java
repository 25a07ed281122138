package dev.plume.export.resource;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Detects the resource from the service configuration, the host, the process and the Java runtime. It runs on the
 * exporter thread, never in {@code premain}: looking up the host name may wait on DNS.
 */
public final class ResourceDetector {
    public static final String SERVICE_NAME = "service.name";
    static final String DEFAULT_SERVICE_NAME = "unknown_service:java";

    private ResourceDetector() {
    }

    /**
     * Detected attributes, then every entry of {@code otel.resource.attributes} over them; {@code service.name} comes
     * from {@code otel.service.name}, else from {@code otel.resource.attributes}, else {@value #DEFAULT_SERVICE_NAME}.
     */
    public static Resource detect(PlumeConfig config, String agentVersion) {
        String version = agentVersion == null ? "unknown" : agentVersion;
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(SERVICE_NAME, DEFAULT_SERVICE_NAME);
        attributes.put("service.instance.id", instanceId().toString());
        attributes.put("telemetry.sdk.name", "plume");
        attributes.put("telemetry.sdk.language", "java");
        attributes.put("telemetry.sdk.version", version);
        attributes.put("telemetry.distro.name", "plume");
        attributes.put("telemetry.distro.version", version);
        putIfPresent(attributes, "host.name", hostName());
        putIfPresent(attributes, "host.arch", hostArch(System.getProperty("os.arch")));
        putIfPresent(attributes, "os.type", osType(System.getProperty("os.name")));
        putIfPresent(attributes, "os.description",
            join(System.getProperty("os.name"), System.getProperty("os.version")));
        attributes.put("process.pid", processId());
        putIfPresent(attributes, "process.executable.path", executablePath());
        putIfPresent(attributes, "process.runtime.name", System.getProperty("java.runtime.name"));
        putIfPresent(attributes, "process.runtime.version", System.getProperty("java.runtime.version"));
        putIfPresent(attributes, "process.runtime.description", join(System.getProperty("java.vm.vendor"),
            join(System.getProperty("java.vm.name"), System.getProperty("java.vm.version"))));

        attributes.putAll(config.getMap(ConfigKeys.RESOURCE_ATTRIBUTES));
        String serviceName = config.getString(ConfigKeys.SERVICE_NAME);
        if (serviceName != null) {
            attributes.put(SERVICE_NAME, serviceName);
        }
        return new Resource(attributes);
    }

    /** The {@code host.arch} value the semantic conventions define for a {@code os.arch} system property. */
    static String hostArch(String osArch) {
        if (osArch == null) {
            return null;
        }
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            case "arm", "arm32" -> "arm32";
            case "ppc64", "ppc64le" -> "ppc64";
            case "ppc", "ppc32" -> "ppc32";
            case "s390x" -> "s390x";
            case "ia64" -> "ia64";
            default -> arch;
        };
    }

    /** The {@code os.type} value the semantic conventions define for an {@code os.name} system property. */
    static String osType(String osName) {
        if (osName == null) {
            return null;
        }
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("windows")) {
            return "windows";
        }
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.startsWith("mac")) {
            return "darwin";
        }
        if (name.startsWith("freebsd")) {
            return "freebsd";
        }
        if (name.startsWith("netbsd")) {
            return "netbsd";
        }
        if (name.startsWith("openbsd")) {
            return "openbsd";
        }
        if (name.startsWith("dragonfly")) {
            return "dragonflybsd";
        }
        if (name.startsWith("hp-ux")) {
            return "hpux";
        }
        if (name.startsWith("aix")) {
            return "aix";
        }
        if (name.startsWith("sunos") || name.startsWith("solaris")) {
            return "solaris";
        }
        if (name.startsWith("z/os")) {
            return "z_os";
        }
        return name;
    }

    private static String hostName() {
        // Containers set HOSTNAME; reading it avoids a DNS round trip.
        String fromEnvironment = System.getenv("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The process id, read where it costs nothing: {@code /proc/self} on Linux, else the runtime's name
     * ({@code pid@host}). {@code ProcessHandle} is the last resort: it starts the JDK's process reaper, a thread pool
     * (one more instrumented class loaded in every application, for one number).
     */
    static long processId() {
        try {
            Path self = Path.of("/proc/self");
            if (Files.isSymbolicLink(self)) {
                return Long.parseLong(Files.readSymbolicLink(self).toString());
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a /proc we cannot read
        }
        String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        try {
            return Long.parseLong(at > 0 ? name.substring(0, at) : name);
        } catch (NumberFormatException e) {
            return ProcessHandle.current().pid();
        }
    }

    private static String executablePath() {
        try {
            Path exe = Path.of("/proc/self/exe");
            if (Files.isSymbolicLink(exe)) {
                return Files.readSymbolicLink(exe).toString(); // not ProcessHandle.info(): see processId()
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's own launcher below
        }
        String javaHome = System.getProperty("java.home");
        if (javaHome == null) {
            return null;
        }
        boolean windows = "windows".equals(osType(System.getProperty("os.name")));
        return javaHome + (windows ? "\\bin\\java.exe" : "/bin/java");
    }

    private static String join(String first, String second) {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + " " + second;
    }

    private static void putIfPresent(Map<String, Object> attributes, String key, String value) {
        if (value != null && !value.isEmpty()) {
            attributes.put(key, value);
        }
    }

    /**
     * A random (version 4) UUID for {@code service.instance.id}. It names a process, it guards nothing: drawn from
     * {@link java.util.concurrent.ThreadLocalRandom}, not from {@code UUID.randomUUID()}, whose first call sets up a
     * {@code SecureRandom} (~15 ms of CPU while the application starts).
     */
    static UUID instanceId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long most = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long least = (random.nextLong() & ~(3L << 62)) | (2L << 62); // the IETF variant
        return new UUID(most, least);
    }
}
