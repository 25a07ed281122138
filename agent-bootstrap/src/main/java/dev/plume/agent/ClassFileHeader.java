package dev.plume.agent;

import java.util.ArrayList;
import java.util.List;

/** Reads the superclass and interface names from a class file's header, skipping the constant pool's contents. */
final class ClassFileHeader {
    private ClassFileHeader() {
    }

    static List<String> supertypes(byte[] b) {
        int count = u2(b, 8);
        int[] offsets = new int[count];
        int index = 10;
        for (int i = 1; i < count; i++) {
            offsets[i] = index;
            int tag = b[index] & 0xFF;
            switch (tag) {
                case 1 -> index += 3 + u2(b, index + 1); // Utf8
                case 3, 4, 9, 10, 11, 12, 17, 18 -> index += 5;
                case 5, 6 -> {
                    index += 9;
                    i++; // long and double take two entries
                }
                case 7, 8, 16, 19, 20 -> index += 3;
                case 15 -> index += 4;
                default -> throw new IllegalArgumentException("bad constant pool tag " + tag);
            }
        }
        index += 2; // access flags
        index += 2; // this_class
        List<String> names = new ArrayList<>();
        int superIndex = u2(b, index);
        index += 2;
        if (superIndex != 0) {
            names.add(className(b, offsets, superIndex));
        }
        int interfaces = u2(b, index);
        index += 2;
        for (int i = 0; i < interfaces; i++) {
            names.add(className(b, offsets, u2(b, index + 2 * i)));
        }
        return names;
    }

    private static String className(byte[] b, int[] offsets, int classIndex) {
        int utf8 = offsets[u2(b, offsets[classIndex] + 1)];
        int length = u2(b, utf8 + 1);
        return new String(b, utf8 + 3, length, java.nio.charset.StandardCharsets.UTF_8).replace('/', '.');
    }

    private static int u2(byte[] b, int index) {
        return ((b[index] & 0xFF) << 8) | (b[index + 1] & 0xFF);
    }
}
