package dev.plume.export;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRecordCodec;
import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.export.console.ConsoleTraceExporter;
import dev.plume.export.otlp.OtlpTraceExporter;
import dev.plume.export.resource.Resource;
import dev.plume.export.resource.ResourceDetector;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The exporter thread ({@code plume-exporter}): what happens to a span after the application is done with it.
 * Read top to bottom: {@link #start} sets the thread off; {@link #run} detects the resource and builds the exporters,
 * then loops: read span records from the ring (paced, see {@link SpanRing#readDue}), hand each to the exporters,
 * send the batch when it is full or old enough, and idle without spinning when there is nothing to do. {@link #shutdown} drains what is left within
 * {@code otel.bsp.export.timeout}. Every span is accounted for in {@link ExporterMetrics}.
 */
public final class PlumeExporter {
    static final String THREAD_NAME = "plume-exporter";

    // Idle: no spinning or yielding, and as few wake-ups as the pacing allows. The ring is read at a pace
    // (SpanRing#readDue): nothing is due by age until READ_DELAY_NANOS after the last read, so the exporter sleeps that
    // long after each read (the default ring holds far more than that delay's worth of spans at any rate the exporter
    // keeps up with; a smaller ring is looked at sooner); after that, an empty ring backs off from 1 to 20 ms, so an
    // idle JVM costs nothing. On a VM a timed wake-up costs the exporter ~20 µs of CPU: polling every millisecond was
    // half of its CPU (BENCHMARKS.md).
    private static final long IDLE_MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A summary line at most this often, and only when spans were dropped since the last one. */
    private static final long SUMMARY_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final String MBEAN_NAME = "dev.plume:type=Exporter";
    /** The MBean is registered once spans flow, or this long after start. */
    private static final long MBEAN_DELAY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final PlumeConfig config;
    private final SpanRing ring;
    private final String agentVersion;
    private final PrintStream consoleOut;
    private final ExportSettings settings;
    private final ExporterMetrics metrics;
    /** Exporter-side sampling towards a target rate; null when off (the default). */
    private final AdaptiveSampler sampler;
    private final SpanRecordReader reader = new SpanRecordReader();
    // classes, not method references or lambdas: the exporter is made in premain, where each lambda's first call spins a class
    private final MessageHandler recordHandler = new MessageHandler() {
        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            onRecord(msgTypeId, buffer, index, length);
        }
    };
    private long idleParkNanos = IDLE_MIN_PARK_NANOS;
    /** The last loop left the ring unread because the backend is behind ({@link TraceExporter#backlogged}). */
    private boolean heldBack;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    /** Set once the exporters exist; before that, an empty ring means there is nothing to wait for at exit. */
    private volatile boolean setUp;
    private final Thread thread;
    private final Thread shutdownHook;

    private volatile boolean running = true;
    private volatile long shutdownDeadlineNanos;

    // exporter thread only
    private TraceExporter accounting;
    private List<TraceExporter> others = List.of();
    private int batchCount;
    /** How long a batch that fills in the middle of a read may take to flush (the drain at shutdown has a deadline). */
    private long flushTimeoutMillis = Long.MAX_VALUE;
    private long batchStartNanos;
    private long lastSummaryNanos;
    private long droppedAtLastSummary;
    private ObjectName registeredMBean;
    private boolean mbeanTried;

    private PlumeExporter(PlumeConfig config, SpanRing ring, String agentVersion, PrintStream consoleOut) {
        this.config = config;
        this.ring = ring;
        this.agentVersion = agentVersion;
        this.consoleOut = consoleOut;
        this.settings = ExportSettings.from(config);
        this.metrics = new ExporterMetrics(ring);
        double targetRate = config.getDouble(ConfigKeys.SAMPLER_TARGET_RATE);
        this.sampler = targetRate > 0 ? new AdaptiveSampler(targetRate, System.nanoTime()) : null;
        metrics.adaptiveSampler(sampler);
        this.thread = new Thread(new Runnable() {
            @Override
            public void run() {
                PlumeExporter.this.run();
            }
        }, THREAD_NAME);
        this.shutdownHook = new Thread(new Runnable() {
            @Override
            public void run() {
                shutdown();
            }
        }, THREAD_NAME + "-shutdown");
    }

    /**
     * Starts the exporter thread (a daemon named {@code plume-exporter}) and registers a JVM shutdown hook that
     * flushes the last spans. Returns at once: resource detection and connection set-up happen on the new thread.
     */
    public static PlumeExporter start(PlumeConfig config, SpanRing ring, String agentVersion) {
        return start(config, ring, agentVersion, null);
    }

    /** As {@link #start(PlumeConfig, SpanRing, String)}, with the console exporter printing to {@code consoleOut}. */
    static PlumeExporter start(PlumeConfig config, SpanRing ring, String agentVersion, PrintStream consoleOut) {
        PlumeExporter exporter = new PlumeExporter(config, ring, agentVersion, consoleOut);
        exporter.thread.setDaemon(true);
        exporter.thread.setContextClassLoader(PlumeExporter.class.getClassLoader());
        exporter.thread.setUncaughtExceptionHandler(new Thread.UncaughtExceptionHandler() {
            @Override
            public void uncaughtException(Thread t, Throwable e) {
                PlumeLog.error("exporter thread stopped, spans are no longer exported: " + e);
            }
        });
        exporter.thread.start();
        try {
            Runtime.getRuntime().addShutdownHook(exporter.shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: nothing will call the hook, nothing needs to
        }
        return exporter;
    }

    public ExporterMetrics metrics() {
        return metrics;
    }

    public ExportSettings settings() {
        return settings;
    }

    /** Whether the exporter thread is still alive (false once {@link #shutdown()} has finished its work). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        // 1. Set-up, here rather than in premain: the host name may wait on DNS, OkHttp loads many classes.
        try {
            Resource resource = ResourceDetector.detect(config, agentVersion);
            buildExporters(resource);
        } catch (Throwable t) {
            PlumeLog.error("cannot set up span export, spans are dropped and counted: " + t);
            accounting = new DiscardingExporter(DropReason.INVALID_CONFIGURATION);
            others = List.of();
        }
        setUp = true;
        lastSummaryNanos = System.nanoTime();
        // JMX's start-up costs a tenth of a second of CPU: not while the application itself is starting
        long mbeanDueNanos = lastSummaryNanos + MBEAN_DELAY_NANOS;

        // 2. The loop: read, batch, send, idle.
        while (running) {
            int work = 0;
            try {
                long now = System.nanoTime();
                // paced: reading right behind the application's threads would slow their writes (SpanRing#readDue)
                // and not while the backend is behind: what is read then would be dropped from the send queue
                heldBack = accounting.backlogged();
                if (!heldBack && ring.readDue(now)) {
                    work += ring.read(recordHandler, settings.maxBatchSize() - batchCount, now);
                }
                if (batchCount >= settings.maxBatchSize()
                    || (batchCount > 0 && now - batchStartNanos >= settings.scheduleDelayMillis() * 1_000_000)) {
                    flushBatch(Long.MAX_VALUE);
                    work++;
                }
                if (sampler != null) {
                    sampler.tick(now);
                }
                if (!mbeanTried && (now - mbeanDueNanos >= 0 || metrics.spansRead() > 0)) {
                    mbeanTried = true;
                    registerMBean();
                }
                tickExporters(now);
                if (now - lastSummaryNanos >= SUMMARY_INTERVAL_NANOS) {
                    logSummary(now);
                }
            } catch (Throwable t) {
                PlumeLog.warnRateLimited("exporter-loop", "exporter loop error, continuing: " + t);
            }
            idle(work);
        }

        // 3. Shutdown: drain the ring, send the rest and wait for the send queue, within the export timeout, and no
        //    longer than the backend stays silent (plume.exporter.shutdown.unreachable.timeout); what is still queued
        //    then goes to the spool, or is dropped and counted (shutdown timeout).
        // the work ends a little before the deadline, so that the counts are final when shutdown() returns
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.exportTimeoutMillis());
        // (a quarter of the budget, at most 500 ms, is kept for closing down, so a loaded machine still makes it)
        long workDeadlineNanos = shutdownDeadlineNanos - Math.min(TimeUnit.MILLISECONDS.toNanos(500), timeoutNanos / 4);
        drainUntil(workDeadlineNanos);
        for (TraceExporter exporter : exporters()) {
            try {
                exporter.awaitDelivery(workDeadlineNanos,
                    TimeUnit.MILLISECONDS.toNanos(settings.unansweredTimeoutMillis()));
            } catch (Throwable t) {
                PlumeLog.warn("exporter drain failed: " + t);
            }
        }
        for (TraceExporter exporter : exporters()) {
            try {
                exporter.shutdown();
            } catch (Throwable t) {
                PlumeLog.warn("exporter shutdown failed: " + t);
            }
        }
        unregisterMBean();
        if (metrics.spansDroppedTotal() > 0) {
            PlumeLog.info("exporter stopped: " + metrics);
        } else {
            PlumeLog.debug("exporter stopped: " + metrics);
        }
    }

    private void buildExporters(Resource resource) {
        List<TraceExporter> built = new ArrayList<>();
        try {
            for (String name : settings.exporters()) {
                built.add(switch (name) {
                    case ExportSettings.OTLP -> OtlpTraceExporter.create(config, resource, agentVersion, metrics);
                    case ExportSettings.CONSOLE -> consoleOut != null
                        ? new ConsoleTraceExporter(consoleOut, ConsoleTraceExporter.stdoutIsUtf8())
                        : new ConsoleTraceExporter();
                    default -> new DiscardingExporter(DropReason.EXPORTER_NONE);
                });
            }
        } catch (RuntimeException | Error e) {
            // the ones already built own threads and connections: release them before reporting the failure
            for (TraceExporter exporter : built) {
                try {
                    exporter.shutdown();
                } catch (Throwable t) {
                    e.addSuppressed(t);
                }
            }
            throw e;
        }
        // the first exporter keeps the books (OTLP when selected); the others see the same spans
        accounting = built.get(0);
        others = List.copyOf(built.subList(1, built.size()));
    }

    /** One {@code plume} line with the counters, when spans were dropped since the last line. */
    private void logSummary(long now) {
        lastSummaryNanos = now;
        long dropped = metrics.spansDroppedTotal();
        if (dropped != droppedAtLastSummary) {
            droppedAtLastSummary = dropped;
            PlumeLog.info("exporter: " + metrics);
        }
    }

    /**
     * Publishes the counters as {@value #MBEAN_NAME}, once spans flow or {@code MBEAN_DELAY_NANOS} after start: JMX's
     * start-up costs, and an application starting up should not pay it on its critical path. A second exporter in the
     * same JVM (tests) keeps the first one's registration.
     */
    private void registerMBean() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(MBEAN_NAME);
            if (!server.isRegistered(name)) {
                server.registerMBean(new StandardMBean(metrics, ExporterMXBean.class, true), name);
                registeredMBean = name;
            }
        } catch (Throwable t) {
            PlumeLog.debug("cannot register the exporter MBean: " + t);
        }
    }

    private void unregisterMBean() {
        if (registeredMBean != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredMBean);
            } catch (Throwable t) {
                PlumeLog.debug("cannot unregister the exporter MBean: " + t);
            }
            registeredMBean = null;
        }
    }

    /** Called by the ring for each record, while the record is still in the ring. */
    private void onRecord(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        metrics.spanRead();
        if (msgTypeId != SpanRecordCodec.MSG_TYPE_SPAN) {
            metrics.spanDropped(DropReason.MALFORMED_RECORD);
            return;
        }
        try {
            reader.wrap(buffer, index, length);
        } catch (RuntimeException e) {
            metrics.spanDropped(DropReason.MALFORMED_RECORD);
            PlumeLog.warnRateLimited("malformed-record", "cannot read a span record, span dropped: " + e.getMessage());
            return;
        }
        if (sampler != null && !sampler.keep(reader.traceIdLow(), reader.statusCode())) {
            metrics.spanSampledOut();
            return;
        }
        boolean taken;
        try {
            taken = accounting.add(reader);
        } catch (RuntimeException e) {
            taken = false;
        }
        if (!taken) {
            metrics.spanDropped(DropReason.ENCODING_FAILED);
            PlumeLog.warnRateLimited("encoding-failed", "cannot encode a span record, span dropped");
            return;
        }
        for (TraceExporter other : others) {
            try {
                other.add(reader);
            } catch (RuntimeException e) {
                PlumeLog.warnRateLimited("secondary-exporter", "exporter " + other.getClass().getSimpleName()
                    + " failed on a span: " + e);
            }
        }
        if (batchCount++ == 0) {
            batchStartNanos = System.nanoTime();
        }
        metrics.spanBuffered();
        if (batchCount >= settings.maxBatchSize() || accounting.batchFull()) {
            flushBatch(flushTimeoutMillis); // a block from a thread's stage is read whole: the batch ends inside it
        }
    }

    /** Parks the exporter thread when the loop found nothing to do (see IDLE_MIN_PARK_NANOS). */
    private void idle(int work) {
        if (heldBack) {
            LockSupport.parkNanos(IDLE_MIN_PARK_NANOS); // the send queue drains a batch in about that long
            return;
        }
        if (work > 0) {
            idleParkNanos = IDLE_MIN_PARK_NANOS;
            return;
        }
        long untilDue = ring.nanosUntilReadDue(System.nanoTime());
        if (untilDue > 0) {
            LockSupport.parkNanos(untilDue); // nothing is due by age before then
            return;
        }
        LockSupport.parkNanos(idleParkNanos);
        idleParkNanos = Math.min(IDLE_MAX_PARK_NANOS, idleParkNanos * 2);
    }

    /** Sends the batch through every exporter; the accounting exporter's outcome is what the metrics count. */
    private void flushBatch(long timeoutMillis) {
        int count = batchCount;
        batchCount = 0;
        BatchOutcome outcome;
        try {
            outcome = accounting.flush(timeoutMillis);
        } catch (RuntimeException e) {
            PlumeLog.warnRateLimited("flush-failed", "export of " + count + " spans failed: " + e);
            outcome = BatchOutcome.dropped(count, DropReason.EXPORT_FAILED);
        }
        metrics.batchDone(count, outcome);
        for (TraceExporter other : others) {
            try {
                other.flush(timeoutMillis);
            } catch (RuntimeException e) {
                PlumeLog.warnRateLimited("secondary-exporter", "exporter " + other.getClass().getSimpleName()
                    + " failed: " + e);
            }
        }
    }

    private void tickExporters(long now) {
        accounting.tick(now);
        for (TraceExporter other : others) {
            other.tick(now);
        }
    }

    /** Reads and sends until the ring is empty or the deadline passes; what is buffered then is dropped and counted. */
    private void drainUntil(long deadlineNanos) {
        while (true) {
            long remainingNanos = deadlineNanos - System.nanoTime();
            if (remainingNanos <= 0) {
                break;
            }
            int read;
            try {
                flushTimeoutMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos));
                read = ring.read(recordHandler, settings.maxBatchSize() - batchCount);
                if (batchCount >= settings.maxBatchSize() || (read == 0 && batchCount > 0)) {
                    flushBatch(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
                }
            } catch (Throwable t) {
                PlumeLog.warn("error while draining spans at shutdown: " + t);
                break;
            }
            if (read == 0 && batchCount == 0) {
                return;
            }
        }
        if (batchCount > 0) {
            metrics.bufferedDropped(batchCount, DropReason.SHUTDOWN_TIMEOUT);
            batchCount = 0;
        }
    }

    private List<TraceExporter> exporters() {
        List<TraceExporter> all = new ArrayList<>();
        if (accounting != null) {
            all.add(accounting);
        }
        all.addAll(others);
        return all;
    }

    /**
     * Stops the exporter: drains the ring and flushes the last batch, waiting at most {@code otel.bsp.export.timeout};
     * the thread is a daemon, so it never holds the JVM longer. Safe to call more than once and from the hook.
     */
    public void shutdown() {
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.exportTimeoutMillis());
        if (shutdownStarted.compareAndSet(false, true)) {
            shutdownDeadlineNanos = System.nanoTime() + timeoutNanos;
            running = false;
            if (Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down; the hook runs anyway and finds the work done
                }
            }
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        if (Thread.currentThread() == shutdownHook && !setUp && ring.bufferedBytes() == 0) {
            // The JVM exits and nothing was recorded (a short-lived program): no reason to hold it while export sets up.
            return;
        }
        // unpark, never interrupt: an interrupted thread would fail the very HTTP call that flushes the last spans
        LockSupport.unpark(thread);
        long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(shutdownDeadlineNanos - System.nanoTime()));
        try {
            thread.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
