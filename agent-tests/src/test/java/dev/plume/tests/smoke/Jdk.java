package dev.plume.tests.smoke;

import java.nio.file.Path;

/**
 * An installed JDK that smoke tests launch applications with.
 *
 * @param home    the JDK's home directory, as a real path
 * @param version {@code JAVA_VERSION} from its {@code release} file, e.g. {@code 17.0.15}
 */
public record Jdk(Path home, String version) {

    /** The feature release, e.g. 17 for {@code 17.0.15} and 8 for {@code 1.8.0_402}. */
    public int feature() {
        return featureOf(version);
    }

    public Path javaExecutable() {
        return home.resolve("bin").resolve("java");
    }

    static int featureOf(String version) {
        String[] parts = version.split("[.+_-]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    }

    /** Used in parameterized test names, so a failure names the JDK it happened on. */
    @Override
    public String toString() {
        return "JDK " + version + " (" + home.getFileName() + ")";
    }
}
