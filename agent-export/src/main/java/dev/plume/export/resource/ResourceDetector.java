package dev.plume.export.resource;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
        attributes.put("service.instance.id", UUID.randomUUID().toString());
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
        attributes.put("process.pid", ProcessHandle.current().pid());
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

    private static String executablePath() {
        Optional<String> command = ProcessHandle.current().info().command();
        if (command.isPresent()) {
            return command.get();
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
}
