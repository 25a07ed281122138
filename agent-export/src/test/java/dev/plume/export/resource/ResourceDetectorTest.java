package dev.plume.export.resource;

import dev.plume.bootstrap.config.PlumeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceDetectorTest {

    @Test
    void detectsServiceSdkHostProcessAndRuntime() {
        Resource resource = ResourceDetector.detect(config(Map.of()), "0.1.0");
        assertEquals("unknown_service:java", resource.get("service.name"));
        assertEquals("plume", resource.get("telemetry.sdk.name"));
        assertEquals("java", resource.get("telemetry.sdk.language"));
        assertEquals("0.1.0", resource.get("telemetry.sdk.version"));
        assertEquals("plume", resource.get("telemetry.distro.name"));
        assertEquals("0.1.0", resource.get("telemetry.distro.version"));
        assertEquals(ProcessHandle.current().pid(), resource.get("process.pid"));
        assertEquals(ResourceDetector.osType(System.getProperty("os.name")), resource.get("os.type"));
        assertEquals(ResourceDetector.hostArch(System.getProperty("os.arch")), resource.get("host.arch"));
        assertTrue(((String) resource.get("os.description")).startsWith(System.getProperty("os.name")));
        assertEquals(System.getProperty("java.runtime.version"), resource.get("process.runtime.version"));
        assertEquals(System.getProperty("java.runtime.name"), resource.get("process.runtime.name"));
        assertTrue(((String) resource.get("process.runtime.description")).contains(System.getProperty("java.vm.name")));
        assertTrue(((String) resource.get("process.executable.path")).contains("java"));
        assertNotNull(resource.get("host.name"));
        UUID.fromString((String) resource.get("service.instance.id"));
        assertNotEquals(resource.get("service.instance.id"),
            ResourceDetector.detect(config(Map.of()), "0.1.0").get("service.instance.id"));
    }

    @Test
    void serviceNamePrecedence() {
        assertEquals("from-attributes", ResourceDetector.detect(config(Map.of(
            "otel.resource.attributes", "service.name=from-attributes")), "v").get("service.name"));
        assertEquals("from-service-name", ResourceDetector.detect(config(Map.of(
            "otel.resource.attributes", "service.name=from-attributes",
            "otel.service.name", "from-service-name")), "v").get("service.name"));
    }

    @Test
    void configuredAttributesOverrideDetectedOnes() {
        Resource resource = ResourceDetector.detect(config(Map.of(
            "otel.resource.attributes",
            "host.name=configured,team=payments%2Cbilling,deployment.environment.name=prod")), "v");
        assertEquals("configured", resource.get("host.name"));
        assertEquals("payments,billing", resource.get("team"));
        assertEquals("prod", resource.get("deployment.environment.name"));
    }

    @ParameterizedTest
    @CsvSource({"Linux, linux", "Windows 11, windows", "Mac OS X, darwin", "FreeBSD, freebsd", "SunOS, solaris",
        "AIX, aix", "z/OS, z_os", "HP-UX, hpux"})
    void osType(String osName, String expected) {
        assertEquals(expected, ResourceDetector.osType(osName));
    }

    @ParameterizedTest
    @CsvSource({"amd64, amd64", "x86_64, amd64", "aarch64, arm64", "x86, x86", "i386, x86", "ppc64le, ppc64",
        "s390x, s390x", "arm, arm32"})
    void hostArch(String osArch, String expected) {
        assertEquals(expected, ResourceDetector.hostArch(osArch));
    }

    private static PlumeConfig config(Map<String, String> properties) {
        return PlumeConfig.of(properties, Map.of(), w -> { });
    }
}
