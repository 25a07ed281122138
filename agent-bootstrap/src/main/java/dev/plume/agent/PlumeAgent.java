package dev.plume.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import java.util.jar.JarFile;

/**
 * The agent's entry point ({@code premain}, {@code agentmain}), loaded by the system class loader. It does the least
 * it can: defines the recording runtime into the bootstrap class loader, opens an isolated class loader over the
 * rest of the agent, and hands over to the installer there. Any failure is one log line; the application runs on.
 */
public final class PlumeAgent {
    private static final String BOOT_PREFIX = "plume/boot/";
    private static final String INST_PREFIX = "plume/inst/";
    private static final String INSTALLER = "dev.plume.instrumentation.PlumeInstaller";
    private static boolean started;

    private PlumeAgent() {
    }

    public static void premain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation);
    }

    public static void agentmain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation);
    }

    private static synchronized void start(String agentArgs, Instrumentation instrumentation) {
        if (started) {
            return;
        }
        started = true;
        if (isDisabled("otel.javaagent.enabled", "false", agentArgs)
            || isDisabled("otel.sdk.disabled", "true", agentArgs)) {
            return;
        }
        try {
            Path agentJar = agentJarPath();
            JarFile jar = new JarFile(agentJar.toFile(), false);
            String version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
            BootstrapClassDefiner.defineAll(instrumentation, jar, BOOT_PREFIX);
            AgentClassLoader loader = new AgentClassLoader(agentJar, jar, INST_PREFIX, BOOT_PREFIX);
            Class<?> installer = loader.loadClass(INSTALLER);
            Method install = installer.getMethod("install", Instrumentation.class, String.class, String.class);
            install.invoke(null, instrumentation, agentArgs, version);
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null
                ? t.getCause() : t;
            System.err.println("plume ERROR agent failed to start, the application runs untraced: " + cause);
            if (Boolean.getBoolean("plume.debug")) {
                cause.printStackTrace();
            }
        }
    }

    /**
     * A quick look before anything is defined, so a disabled agent costs nothing: system property, environment, then
     * the agent's arguments. Only the plain disabling value stops here; the installer reads every source (the
     * configuration file too) through the declared keys and reports a value that is neither true nor false.
     */
    private static boolean isDisabled(String key, String disablingValue, String agentArgs) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            value = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        if ((value == null || value.isBlank()) && agentArgs != null) {
            for (String setting : agentArgs.split(",")) {
                int eq = setting.indexOf('=');
                if (eq > 0 && setting.substring(0, eq).trim().equals(key)) {
                    value = setting.substring(eq + 1);
                }
            }
        }
        return value != null && value.trim().equalsIgnoreCase(disablingValue);
    }

    private static Path agentJarPath() throws URISyntaxException {
        CodeSource source = PlumeAgent.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot locate plume-agent.jar (no code source)");
        }
        return Path.of(source.getLocation().toURI());
    }
}
