package dev.plume.tests.smoke;

import org.junit.jupiter.api.function.Executable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sample application running in its own JVM under the agent, with its stdout and stderr captured in memory.
 * Closing it destroys the process.
 */
public final class AgentProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");
    // "Exception" anywhere, or a class name ending in Error such as NoClassDefFoundError (not the level ERROR).
    private static final Pattern THROWABLE_NAME = Pattern.compile("Exception|[A-Za-z]Error\\b");
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final int LINES_IN_DESCRIPTION = 400;

    private final List<String> command;
    private final Process process;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final Thread killOnTestJvmExit;

    private AgentProcess(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        this.stdout = new OutputCapture(process.getInputStream(), "stdout of pid " + process.pid());
        this.stderr = new OutputCapture(process.getErrorStream(), "stderr of pid " + process.pid());
        // A test JVM that dies without closing must not leave sample apps running on a shared machine.
        this.killOnTestJvmExit = new Thread(process::destroyForcibly, "kill-pid-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnTestJvmExit);
    }

    /** Starts describing a launch of {@code appJar} with {@code jdk}, under the agent jar the build produced. */
    /** Launches a JDK module's main class ({@code java -m module}), e.g. the JDK's own {@code jdk.httpserver}. */
    public static Builder launchModule(Jdk jdk, String mainModule) {
        Builder builder = new Builder(jdk, null);
        builder.mainModule = mainModule;
        return builder;
    }

    public static Builder launch(Jdk jdk, Path appJar) {
        return new Builder(jdk, appJar);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the {@code LISTENING <port>} line and returns the port. */
    public int awaitListeningPort(Duration timeout) {
        String line = awaitStdoutLine("a 'LISTENING <port>' line", text -> LISTENING.matcher(text).matches(), timeout);
        Matcher matcher = LISTENING.matcher(line);
        if (!matcher.matches()) {
            throw new AssertionError("unreachable: " + line);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Waits for a stdout line matching {@code match}; fails early, with the output, if the process ends first. */
    public String awaitStdoutLine(String description, Predicate<String> match, Duration timeout) {
        return stdout.awaitLine(match, timeout.toNanos()).orElseThrow(() -> new AssertionError(
                "No " + description + " on stdout within " + timeout.toSeconds() + " s\n" + describe()));
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) {
        if (!waitFor(timeout)) {
            throw new AssertionError("Process did not exit within " + timeout.toSeconds() + " s\n" + describe());
        }
        return process.exitValue();
    }

    /** Asks the process to stop (SIGTERM, so shutdown hooks run) and returns its exit code once it has. */
    public int terminate(Duration timeout) {
        // the handle only signals: Process#destroy also closes our ends of the pipes, losing what the process prints
        // while it shuts down (and closing its stdin, which the sample apps take as a request to exit)
        process.toHandle().destroy();
        if (!waitFor(timeout)) {
            throw new AssertionError("Process still running " + timeout.toSeconds() + " s after SIGTERM\n" + describe());
        }
        return process.exitValue();
    }

    public List<String> stdoutLines() {
        return stdout.lines();
    }

    public List<String> stderrLines() {
        return stderr.lines();
    }

    /** Lines the agent logged: its logger prefixes every line with {@code plume}. */
    public List<String> agentLogLines() {
        return stderrLines().stream().filter(line -> line.startsWith("plume")).toList();
    }

    /** Stack-trace lines on stderr and agent lines that name an exception or error; a healthy run has none. */
    public List<String> exceptionLines() {
        return stderrLines().stream()
                .filter(line -> line.startsWith("\tat ") || line.startsWith("Caused by: ")
                        || line.startsWith("plume") && THROWABLE_NAME.matcher(line).find())
                .toList();
    }

    /** Runs assertions, adding the command line and the process output to any failure. */
    public void explainFailures(Executable assertions) {
        try {
            assertions.execute();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        } catch (Throwable t) {
            throw new AssertionError(t + "\n" + describe(), t);
        }
    }

    /** The command, the process state and its recent output, for failure messages. */
    public String describe() {
        String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
        return "--- process " + process.pid() + " (" + state + "): " + String.join(" ", command) + "\n"
                + "--- stdout ---\n" + stdout.tail(LINES_IN_DESCRIPTION)
                + "--- stderr ---\n" + stderr.tail(LINES_IN_DESCRIPTION)
                + "--- end of process output ---";
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(GRACE)) {
                process.destroyForcibly();
                waitFor(GRACE);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnTestJvmExit);
        } catch (IllegalStateException e) {
            // The test JVM is already shutting down; the hook will run and find the process gone.
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            // The pipes close with the process; let the readers take in the last lines before anyone reads them.
            stdout.awaitEnd(GRACE);
            stderr.awaitEnd(GRACE);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for process " + process.pid(), e);
        }
    }

    /** What to launch; {@link #start()} runs it. */
    public static final class Builder {

        private final Jdk jdk;
        private final Path appJar;
        private Path agentJar;
        private String agentArguments;
        private boolean withoutAgent;
        private final List<String> jvmOptions = new ArrayList<>();
        private String mainModule;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();

        private Builder(Jdk jdk, Path appJar) {
            this.jdk = jdk;
            this.appJar = appJar;
        }

        /** Uses this agent jar instead of the one from {@link SmokeArtifacts#agentJar()}. */
        public Builder agent(Path jar) {
            this.agentJar = jar;
            return this;
        }

        /** Passes this argument string to the agent ({@code -javaagent:jar=arguments}). */
        public Builder agentArguments(String arguments) {
            this.agentArguments = arguments;
            return this;
        }

        /** A JVM option such as {@code -Xlog:class+load:file=...}, before the agent. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Starts the application without {@code -javaagent} (to attach at run time, or to compare). */
        public Builder withoutAgent() {
            this.withoutAgent = true;
            return this;
        }

        public Builder systemProperty(String key, String value) {
            systemProperties.put(key, value);
            return this;
        }

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public AgentProcess start() {
            List<String> command = new ArrayList<>();
            command.add(jdk.javaExecutable().toString());
            command.addAll(jvmOptions);
            if (!withoutAgent) {
                // the JDK's own classes are not verified by default: with this, a frame the weaver wrote wrongly in
                // FutureTask or ThreadPoolExecutor fails the test instead of going unnoticed
                command.add("-XX:+UnlockDiagnosticVMOptions");
                command.add("-XX:+BytecodeVerificationLocal");
                command.add("-javaagent:" + (agentJar != null ? agentJar : SmokeArtifacts.agentJar())
                    + (agentArguments != null ? "=" + agentArguments : ""));
            }
            systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            if (mainModule != null) {
                command.add("-m");
                command.add(mainModule);
            } else {
                command.add("-jar");
                command.add(appJar.toString());
            }
            command.addAll(args);

            ProcessBuilder builder = new ProcessBuilder(command);
            // The test's own environment must not configure the app: every setting is on the command line.
            builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("PLUME_")
                    || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS"));
            try {
                return new AgentProcess(List.copyOf(command), builder.start());
            } catch (IOException e) {
                throw new AssertionError("Cannot start " + String.join(" ", command), e);
            }
        }
    }

    /** Reads one output stream of the process line by line on a daemon thread and keeps every line. */
    private static final class OutputCapture {

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        OutputCapture(InputStream stream, String name) {
            Thread reader = new Thread(() -> read(stream), name);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream stream) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    append(line);
                }
            } catch (IOException e) {
                append("<output capture failed: " + e + ">");
            } finally {
                lock.lock();
                try {
                    ended = true;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void append(String line) {
            lock.lock();
            try {
                lines.add(line);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** The first line matching, waiting for it until the timeout or the end of the stream. */
        Optional<String> awaitLine(Predicate<String> match, long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            lock.lock();
            try {
                int checked = 0;
                while (true) {
                    for (; checked < lines.size(); checked++) {
                        if (match.test(lines.get(checked))) {
                            return Optional.of(lines.get(checked));
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (ended || left <= 0) {
                        return Optional.empty();
                    }
                    changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } finally {
                lock.unlock();
            }
        }

        void awaitEnd(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                long left;
                while (!ended && (left = deadline - System.nanoTime()) > 0) {
                    changed.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }

        List<String> lines() {
            lock.lock();
            try {
                return List.copyOf(lines);
            } finally {
                lock.unlock();
            }
        }

        String tail(int count) {
            List<String> all = lines();
            StringBuilder text = new StringBuilder();
            if (all.size() > count) {
                text.append("[... ").append(all.size() - count).append(" earlier lines]\n");
            }
            for (String line : all.subList(Math.max(0, all.size() - count), all.size())) {
                text.append(line).append('\n');
            }
            return text.toString();
        }
    }
}
