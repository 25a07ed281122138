package dev.plume.tests.smoke;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the agent jar and the sample-application jars from the system properties surefire sets. */
public final class SmokeArtifacts {

    private SmokeArtifacts() {
    }

    public static Path agentJar() {
        return existing("plume.agent.jar", "build agent-dist first (mvn install -pl agent-dist -am)");
    }

    public static Path httpAppJar() {
        return existing("plume.smoke.http-app.jar", "build smoke-apps/http-app first");
    }

    public static Path helloAppJar() {
        return existing("plume.smoke.hello-app.jar", "build smoke-apps/hello-app first");
    }

    /** A web sample app's executable jar, by module name ({@code spring-boot3-tomcat-app}). */
    public static Path webAppJar(String module) {
        return existing("plume.smoke." + module + ".jar", "build smoke-apps/" + module + " first");
    }

    private static Path existing(String property, String hint) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set; run through Maven (agent-tests/pom.xml sets it)");
        }
        Path path = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(property + " points to " + path + ", which does not exist: " + hint);
        }
        return path;
    }
}
