package dev.plume.tests.bench;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.db.DbConnectionInfo;
import dev.plume.bootstrap.db.DbSpans;
import dev.plume.bootstrap.db.SqlQuery;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a JDBC call costs Plume (issue 11), without the driver: {@code sanitizeFirstSight} is a query text seen for the
 * first time (sanitized and summarized), {@code sanitizeCached} the lookup every later execution of that text pays,
 * and {@code preparedExecution} the whole span of a prepared statement's execution as the JDBC advice makes it (the
 * connection's facts and the statement's SQL from their fields, the cached query, a CLIENT span with its attributes,
 * ended and written to the ring), under an open SERVER span. Run with {@code -prof gc} for bytes per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class DbSpanBenchmark {
    static final String SQL = "SELECT o.id, o.first_name, o.last_name FROM owners o WHERE o.last_name = 'Davis'"
        + " AND o.id IN (1, 2, 3) AND o.city <> 'Madison' ORDER BY o.id";
    static final String PREPARED = "SELECT id, first_name, last_name, city FROM owners WHERE id = ?";

    /** Shaped as the agent makes a driver's connection and statement classes: one field behind the interface. */
    static final class Carrier implements ContextCarrier {
        private volatile Object context;

        @Override
        public Object plume$getContext() {
            return context;
        }

        @Override
        public void plume$setContext(Object value) {
            context = value;
        }
    }

    private SpanRing ring;
    private RingDrainer drainer;
    private SpanSlot open;
    private final Carrier connection = new Carrier();
    private final Carrier statement = new Carrier();

    @Setup(Level.Trial)
    public void install() {
        ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        drainer = new RingDrainer(ring);
        open = Tracer.startSpan(InstrumentationScope.SERVLET, SpanKind.SERVER, "GET", "/owners");
        DbSpans.remember(connection, "jdbc:postgresql://db.example:5432/petclinic");
        DbSpans.prepared(statement, PREPARED);
    }

    @TearDown(Level.Trial)
    public void uninstall() {
        open.end();
        Tracer.uninstall();
        drainer.stop();
    }

    @Benchmark
    public SqlQuery sanitizeFirstSight() {
        return SqlQuery.parseUncached(SQL, false);
    }

    @Benchmark
    public SqlQuery sanitizeCached() {
        return SqlQuery.of(SQL, false);
    }

    @Benchmark
    public void preparedExecution() {
        DbConnectionInfo db = DbSpans.known(connection);
        SpanSlot span = DbSpans.startPrepared(InstrumentationScope.JDBC, db, statement);
        DbSpans.end(span, null, null);
    }
}
