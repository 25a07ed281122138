package dev.plume.instrumentation.weave;

import dev.plume.bootstrap.ResourceBytes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads an advice class's file as the application must see it. The agent jar relocates the OkHttp and Okio it sends
 * with under {@code dev.plume.shaded}, and relocation rewrites every class of the agent, the OkHttp instrumentation's
 * advice too: its references to {@code okhttp3} would name the agent's copy. Advice is inlined into the application's
 * own OkHttp, so those names are turned back here (the names are built at run time, so relocation leaves this class's
 * own strings alone). No advice means the agent's copy.
 */
public final class AdviceClassFiles {
    private static final String[] APPLICATION = {"ok".concat("http3/"), "ok".concat("io/")};
    private static final String SHADED = "dev/plume/shaded/";

    private AdviceClassFiles() {
    }

    /** The class file of {@code adviceClass}, from its own loader, with relocated library names restored. */
    public static byte[] read(Class<?> adviceClass) throws IOException {
        String resource = adviceClass.getName().replace('.', '/') + ".class";
        ClassLoader loader = adviceClass.getClassLoader();
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
            : ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            return unrelocated(ResourceBytes.read(in));
        }
    }

    /**
     * The class file with the relocated prefix cut from every UTF-8 constant (class names and descriptors live there,
     * nowhere else); the class file's other bytes are copied as they are. A class without the prefix is returned
     * untouched.
     */
    static byte[] unrelocated(byte[] classFile) {
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        if (!text.contains(SHADED + APPLICATION[0]) && !text.contains(SHADED + APPLICATION[1])) {
            return classFile;
        }
        ByteBuffer in = ByteBuffer.wrap(classFile);
        ByteArrayOutputStream out = new ByteArrayOutputStream(classFile.length);
        in.position(8); // magic, minor and major version
        int count = in.getShort() & 0xFFFF;
        out.write(classFile, 0, 10);
        for (int i = 1; i < count; i++) {
            int tag = classFile[in.position()] & 0xFF;
            int start = in.position();
            in.get();
            if (tag == 1) {
                int length = in.getShort() & 0xFFFF;
                // ASCII names: modified UTF-8 and ISO-8859-1 agree on every byte that matters here
                String value = new String(classFile, in.position(), length, StandardCharsets.ISO_8859_1);
                in.position(in.position() + length);
                String restored = value;
                for (String name : APPLICATION) {
                    restored = restored.replace(SHADED + name, name);
                }
                byte[] bytes = restored.getBytes(StandardCharsets.ISO_8859_1);
                out.write(1);
                out.write(bytes.length >>> 8);
                out.write(bytes.length);
                out.write(bytes, 0, bytes.length);
                continue;
            }
            int size = switch (tag) {
                case 7, 8, 16, 19, 20 -> 2;
                case 15 -> 3;
                case 3, 4, 9, 10, 11, 12, 17, 18 -> 4;
                case 5, 6 -> 8;
                default -> throw new IllegalArgumentException("constant pool tag " + tag);
            };
            in.position(in.position() + size);
            out.write(classFile, start, 1 + size);
            if (tag == 5 || tag == 6) {
                i++; // eight-byte constants take two entries
            }
        }
        out.write(classFile, in.position(), classFile.length - in.position());
        return out.toByteArray();
    }
}
