package dev.plume.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads what the bootstrap definer needs from a class file: its supertypes and the classes it refers to. */
final class ClassFileHeader {
    private ClassFileHeader() {
    }

    /**
     * Every class name the constant pool mentions, as a class reference or inside a descriptor or signature
     * (the verifier may load those too). Over-approximates, which is safe: names outside the agent are ignored.
     */
    static Set<String> referencedClasses(byte[] b) {
        Set<String> names = new HashSet<>();
        int count = u2(b, 8);
        int index = 10;
        for (int i = 1; i < count; i++) {
            int tag = b[index] & 0xFF;
            if (tag == 1) {
                int length = u2(b, index + 1);
                String text = new String(b, index + 3, length, StandardCharsets.UTF_8);
                names.add(text.replace('/', '.'));
                int start = text.indexOf('L');
                while (start >= 0) {
                    int end = start + 1;
                    while (end < text.length() && text.charAt(end) != ';' && text.charAt(end) != '<') {
                        end++;
                    }
                    if (end > start + 1) {
                        names.add(text.substring(start + 1, end).replace('/', '.'));
                    }
                    start = text.indexOf('L', start + 1);
                }
            }
            index = next(b, index, tag);
            if (tag == 5 || tag == 6) {
                i++;
            }
        }
        return names;
    }

    private static int next(byte[] b, int index, int tag) {
        return switch (tag) {
            case 1 -> index + 3 + u2(b, index + 1);
            case 3, 4, 9, 10, 11, 12, 17, 18 -> index + 5;
            case 5, 6 -> index + 9;
            case 7, 8, 16, 19, 20 -> index + 3;
            case 15 -> index + 4;
            default -> throw new IllegalArgumentException("bad constant pool tag " + tag);
        };
    }

    static List<String> supertypes(byte[] b) {
        int count = u2(b, 8);
        int[] offsets = new int[count];
        int index = 10;
        for (int i = 1; i < count; i++) {
            offsets[i] = index;
            int tag = b[index] & 0xFF;
            index = next(b, index, tag);
            if (tag == 5 || tag == 6) {
                i++; // long and double take two entries
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
        return new String(b, utf8 + 3, length, StandardCharsets.UTF_8).replace('/', '.');
    }

    private static int u2(byte[] b, int index) {
        return ((b[index] & 0xFF) << 8) | (b[index + 1] & 0xFF);
    }
}
