package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.Redaction;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Encoded batches on disk ({@code plume.exporter.spool.dir}): what the memory queue could not keep during an outage,
 * what was left at exit, and what a backend kept refusing. Files are sent oldest first when the backend answers again,
 * by this process or the next one that uses the directory.
 *
 * <p>One file per batch, named so that names sort by age ({@code <epoch millis>-<sequence>-<run>.batch}), written to a
 * {@code .part} file, forced to disk and renamed into place, so a reader never sees half a file under a batch name.
 * Layout: a 32-byte header, then the payload exactly as the sender puts it on the wire.
 * <pre>
 *  0  magic "PLS1"          4    16  created, epoch millis   8
 *  4  payload format        1    24  CRC-32 of the payload   4
 *  5  (zero)                3    28  CRC-32 of bytes 0..27   4
 *  8  spans                 4    32  payload
 * 12  payload length        4
 * </pre>
 * A file whose length, header or checksum does not fit (torn by a crash or a full disk) is deleted unread and counted.
 *
 * <p>Sharing: a process takes a batch by renaming it to {@code <name>.<pid>-<run>.claimed}; a rename succeeds for one
 * process only, so two JVMs on one directory never send the same batch twice. A claimed file is deleted once the backend
 * accepted it, or renamed back when it is released. Claims (and {@code .part} files) left by a process that is gone, or
 * by an earlier run with the same pid (a container's pid 1), are taken back when the directory is scanned.
 *
 * <p>Counts (the spool's own books, see {@link ExporterMetrics}): batches found at start, written, sent, dropped by
 * reason. Used by the send queue's thread, and by the exporter thread at shutdown; every method is synchronized.
 */
final class Spool {
    static final String SUFFIX = ".batch";
    private static final String PART = ".part";
    private static final String CLAIMED = ".claimed";
    private static final int HEADER = 32;
    private static final int MAGIC = 0x504C5331; // "PLS1"
    /** A directory listing is this fresh at most, so batches other processes write are found. */
    private static final long RESCAN_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A batch taken from the spool: its payload and where it lives until it is deleted or released. */
    record Claimed(Path file, String batchName, byte[] payload, int spans, int format) {
    }

    private final Path dir;
    private final long maxBytes;
    private final ExporterMetrics metrics;
    private final long pid = ProcessHandle.current().pid();
    private final String run = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    private final String claimTag;
    private long sequence;

    // known batch files, oldest first (names sort by age), as of the last scan; other processes may have taken some
    private final TreeSet<String> candidates = new TreeSet<>();
    private long lastScanNanos;
    private long bytesOnDisk;
    private int filesOnDisk;

    /** This JVM's open spools: a claim with our pid and one of these runs is live (tests run several at once). */
    private static final java.util.Set<String> LIVE_RUNS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Spool(Path dir, long maxBytes, ExporterMetrics metrics) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.metrics = metrics;
        this.claimTag = "." + pid + "-" + run + CLAIMED;
        LIVE_RUNS.add(run);
    }

    /** Opens (creating it if needed) the spool directory; null, with one log line, when it cannot be used. */
    static Spool open(String directory, long maxBytes, ExporterMetrics metrics) {
        if (directory == null || directory.isBlank()) {
            return null;
        }
        try {
            Path dir = Path.of(directory.trim()).toAbsolutePath();
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
            Spool spool = new Spool(dir, maxBytes, metrics);
            spool.scan(true);
            return spool;
        } catch (IOException | RuntimeException e) {
            PlumeLog.error("cannot use plume.exporter.spool.dir=" + Redaction.text(directory) + " ("
                + Redaction.text(e.toString()) + "); spooling is off, the memory queue alone keeps batches");
            return null;
        }
    }

    /** This run is done with the directory: its remaining claims may be taken back by anyone. */
    void close() {
        LIVE_RUNS.remove(run);
    }

    Path directory() {
        return dir;
    }

    /** Whether a batch may be waiting on disk (rescans now and then, for other processes' batches). */
    synchronized boolean mayHaveBatches() {
        if (candidates.isEmpty() && System.nanoTime() - lastScanNanos >= RESCAN_NANOS) {
            scan(false);
        }
        return !candidates.isEmpty();
    }

    /**
     * Writes a batch; false (nothing written) when it cannot be, such as a full disk. Makes room by dropping the oldest
     * batches (counted as {@link DropReason#SPOOL_FULL}) when the spool would grow past its bound.
     */
    synchronized boolean write(Payload payload, int spans, int format, long createdMillis) {
        long size = HEADER + (long) payload.length();
        if (size > maxBytes) {
            return false;
        }
        while (bytesOnDisk + size > maxBytes && dropOldest()) {
            // dropped one
        }
        String name = String.format("%013d-%06d-%s%s", createdMillis, sequence++ % 1_000_000, run, SUFFIX);
        Path part = dir.resolve(name + "." + pid + "-" + run + PART);
        try {
            ByteBuffer header = header(payload, spans, format);
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer body = ByteBuffer.wrap(payload.array(), 0, payload.length());
                while (header.hasRemaining() || body.hasRemaining()) {
                    channel.write(new ByteBuffer[] {header, body});
                }
                channel.force(true);
            }
            move(part, dir.resolve(name));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(part);
            PlumeLog.warnRateLimited("spool-write", "cannot write a batch to the spool in " + dir + " ("
                + Redaction.text(e.toString()) + ")");
            return false;
        }
        bytesOnDisk += size;
        filesOnDisk++;
        candidates.add(name);
        metrics.spoolSize(filesOnDisk, bytesOnDisk);
        return true;
    }

    /** Takes the oldest batch nobody else has taken, or null when there is none. Torn files are dropped on the way. */
    synchronized Claimed claimOldest() {
        while (true) {
            String name = candidates.pollFirst();
            if (name == null) {
                scan(false);
                name = candidates.pollFirst();
                if (name == null) {
                    return null;
                }
            }
            Path claimed = dir.resolve(name + claimTag);
            try {
                move(dir.resolve(name), claimed);
            } catch (NoSuchFileException e) {
                continue; // another process took it, or it was dropped
            } catch (IOException e) {
                continue;
            }
            Claimed batch = read(claimed, name);
            if (batch != null) {
                return batch;
            }
        }
    }

    /** The backend accepted (or refused for good) a claimed batch: it leaves the disk. */
    synchronized void delete(Claimed batch) {
        long size = sizeOf(batch.file());
        if (deleteQuietly(batch.file())) {
            forget(size);
        }
    }

    /** Gives a claimed batch back, to be sent later by this process or another. */
    synchronized void release(Claimed batch) {
        try {
            move(batch.file(), dir.resolve(batch.batchName()));
            candidates.add(batch.batchName());
        } catch (IOException e) {
            // it stays claimed by this run; the next run (or another process, once this one is gone) takes it back
        }
    }

    synchronized long bytesOnDisk() {
        return bytesOnDisk;
    }

    synchronized int filesOnDisk() {
        return filesOnDisk;
    }

    private Claimed read(Path file, String name) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            if (bytes.length >= HEADER && buffer.getInt(0) == MAGIC && crc(bytes, 0, 28) == buffer.getInt(28)) {
                int format = buffer.get(4);
                int spans = buffer.getInt(8);
                int length = buffer.getInt(12);
                if (length >= 0 && bytes.length == HEADER + length && spans >= 0
                    && crc(bytes, HEADER, length) == buffer.getInt(24)) {
                    byte[] payload = new byte[length];
                    System.arraycopy(bytes, HEADER, payload, 0, length);
                    return new Claimed(file, name, payload, spans, format);
                }
            }
            dropTorn(file, bytes.length >= 12 ? Math.max(0, buffer.getInt(8)) : 0, bytes.length);
            return null;
        } catch (IOException e) {
            dropTorn(file, 0, sizeOf(file));
            return null;
        }
    }

    private void dropTorn(Path file, int spans, long size) {
        if (deleteQuietly(file)) {
            forget(size);
        }
        // the span count of a torn file is not to be trusted: count what the header claims only when it is plausible
        metrics.spoolDropped(spans < 1 << 20 ? spans : 0, DropReason.SPOOL_TORN);
        PlumeLog.warnRateLimited("spool-torn", "a torn batch file in the spool " + dir + " was dropped unsent ("
            + file.getFileName() + ")");
    }

    /** Drops the oldest unclaimed batch to make room; false when there is none. */
    private boolean dropOldest() {
        String name = candidates.pollFirst();
        if (name == null) {
            scan(false);
            name = candidates.pollFirst();
            if (name == null) {
                return false;
            }
        }
        Path file = dir.resolve(name);
        int spans = spansInHeader(file);
        long size = sizeOf(file);
        if (deleteQuietly(file)) {
            forget(size);
            metrics.spoolDropped(spans, DropReason.SPOOL_FULL);
            PlumeLog.warnRateLimited("spool-full", "the spool " + dir + " is full (" + maxBytes + " bytes): dropped"
                + " its oldest batches to keep the newest");
        }
        return true;
    }

    /**
     * Lists the directory: batch files become candidates, oldest first; claims and part files of processes that are
     * gone (or of an earlier run with this pid) are taken back or removed.
     */
    private void scan(boolean atOpen) {
        lastScanNanos = System.nanoTime();
        List<String> batches = new ArrayList<>();
        long bytes = 0;
        int files = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(CLAIMED) || name.endsWith(PART)) {
                    String batchName = name.substring(0, name.indexOf(SUFFIX) + SUFFIX.length());
                    if (ownerIsGone(name)) {
                        if (name.endsWith(PART)) {
                            deleteQuietly(entry);
                            continue;
                        }
                        try {
                            move(entry, dir.resolve(batchName));
                            name = batchName;
                        } catch (IOException e) {
                            continue;
                        }
                    } else {
                        long size = sizeOf(entry);
                        bytes += size;
                        files++;
                        continue;
                    }
                }
                if (name.endsWith(SUFFIX)) {
                    batches.add(name);
                    bytes += sizeOf(dir.resolve(name));
                    files++;
                }
            }
        } catch (IOException | RuntimeException e) {
            PlumeLog.warnRateLimited("spool-scan", "cannot list the spool " + dir + ": " + Redaction.text(e.toString()));
            return;
        }
        candidates.clear();
        candidates.addAll(batches);
        bytesOnDisk = bytes;
        filesOnDisk = files;
        metrics.spoolSize(files, bytes);
        if (atOpen && !batches.isEmpty()) {
            long spans = 0;
            for (String name : batches) {
                spans += spansInHeader(dir.resolve(name));
            }
            metrics.spoolFound(spans);
            PlumeLog.info("the spool " + dir + " holds " + batches.size() + " batches (" + spans + " spans) from"
                + " earlier; they are sent when the backend answers");
        }
    }

    /** {@code <batch>.<pid>-<run>.claimed} or {@code .part}: is its owner gone? */
    private boolean ownerIsGone(String name) {
        int start = name.indexOf(SUFFIX) + SUFFIX.length() + 1;
        int dash = name.indexOf('-', start);
        int end = name.lastIndexOf('.');
        if (start <= 0 || dash < 0 || end <= dash) {
            return true;
        }
        try {
            long owner = Long.parseLong(name.substring(start, dash));
            String ownerRun = name.substring(dash + 1, end);
            if (owner == pid) {
                return !LIVE_RUNS.contains(ownerRun); // not live here: an earlier run that had our pid
            }
            return ProcessHandle.of(owner).map(handle -> !handle.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static ByteBuffer header(Payload payload, int spans, int format) {
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        header.putInt(0, MAGIC);
        header.put(4, (byte) format);
        header.putInt(8, spans);
        header.putInt(12, payload.length());
        header.putLong(16, System.currentTimeMillis());
        header.putInt(24, crc(payload.array(), 0, payload.length()));
        header.putInt(28, crc(header.array(), 0, 28));
        return header;
    }

    private static int spansInHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // reading the header
            }
            if (header.position() == HEADER && header.getInt(0) == MAGIC
                && crc(header.array(), 0, 28) == header.getInt(28)) {
                return Math.max(0, header.getInt(8));
            }
        } catch (IOException e) {
            // unreadable: counted as zero spans
        }
        return 0;
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            try {
                Files.move(from, to); // refuses to replace an existing file: still one winner per batch
            } catch (FileAlreadyExistsException exists) {
                throw new NoSuchFileException(from.toString());
            }
        }
    }

    private void forget(long size) {
        bytesOnDisk = Math.max(0, bytesOnDisk - size);
        filesOnDisk = Math.max(0, filesOnDisk - 1);
        metrics.spoolSize(filesOnDisk, bytesOnDisk);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean deleteQuietly(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }
}
