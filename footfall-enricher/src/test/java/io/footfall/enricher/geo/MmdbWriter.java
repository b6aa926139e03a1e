package io.footfall.enricher.geo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small MaxMind DB ({@code .mmdb}, format 2.0, IPv4 tree, 24-bit records) so the geo tests need
 * no download. Follows the public MaxMind DB File Format Specification: a binary search tree over the
 * address bits, 16 zero bytes, the data section, then the metadata map after the
 * {@code \xAB\xCD\xEFMaxMind.com} marker. Values: maps, arrays, UTF-8 strings and unsigned integers.
 */
final class MmdbWriter {

    private static final byte[] METADATA_MARKER = {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF,
            'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'};

    private static final class Node {
        Node zero;
        Node one;
        Integer dataOffset;
        int index;
    }

    private final Node root = new Node();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final String databaseType;

    MmdbWriter(String databaseType) {
        this.databaseType = databaseType;
    }

    /** Maps every address of {@code a.b.c.d/prefix} to {@code value}. */
    MmdbWriter insert(String network, int prefix, Map<String, Object> value) {
        int offset = data.size();
        encode(value, data);
        String[] octets = network.split("\\.");
        long address = 0;
        for (String o : octets) {
            address = address << 8 | Integer.parseInt(o);
        }
        Node node = root;
        for (int bit = 0; bit < prefix; bit++) {
            boolean one = (address >> (31 - bit) & 1) == 1;
            Node next = one ? node.one : node.zero;
            if (next == null) {
                next = new Node();
                if (one) {
                    node.one = next;
                } else {
                    node.zero = next;
                }
            }
            node = next;
        }
        node.dataOffset = offset;
        return this;
    }

    void write(Path file) throws IOException {
        List<Node> nodes = new ArrayList<>();
        number(root, nodes);
        int count = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node n : nodes) {
            writeRecord(out, record(n.zero, count));
            writeRecord(out, record(n.one, count));
        }
        out.write(new byte[16]);
        data.writeTo(out);
        out.write(METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", (long) count);
        metadata.put("record_size", 24L);
        metadata.put("ip_version", 4L);
        metadata.put("database_type", databaseType);
        metadata.put("languages", List.of("en"));
        metadata.put("binary_format_major_version", 2L);
        metadata.put("binary_format_minor_version", 0L);
        metadata.put("build_epoch", 1_700_000_000L);
        metadata.put("description", Map.of("en", "footfall test database"));
        encode(metadata, out);
        Files.write(file, out.toByteArray());
    }

    /** Internal nodes only: a node with data is a leaf and gets no tree node of its own. */
    private static void number(Node node, List<Node> nodes) {
        node.index = nodes.size();
        nodes.add(node);
        for (Node child : new Node[]{node.zero, node.one}) {
            if (child != null && child.dataOffset == null) {
                number(child, nodes);
            }
        }
    }

    private static long record(Node child, int nodeCount) {
        if (child == null) {
            return nodeCount;
        }
        if (child.dataOffset != null) {
            return nodeCount + 16L + child.dataOffset;
        }
        return child.index;
    }

    private static void writeRecord(ByteArrayOutputStream out, long value) {
        out.write((int) (value >> 16));
        out.write((int) (value >> 8));
        out.write((int) value);
    }

    @SuppressWarnings("unchecked")
    private static void encode(Object value, ByteArrayOutputStream out) {
        if (value instanceof String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            control(out, 2, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof Long n) {
            byte[] bytes = unsigned(n);
            if (n > 0xFFFFFFFFL) {
                control(out, 9, bytes.length);
            } else {
                control(out, 6, bytes.length);
            }
            out.writeBytes(bytes);
        } else if (value instanceof Map<?, ?> map) {
            control(out, 7, map.size());
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                encode(e.getKey(), out);
                encode(e.getValue(), out);
            }
        } else if (value instanceof List<?> list) {
            control(out, 11, list.size());
            list.forEach(v -> encode(v, out));
        } else {
            throw new IllegalArgumentException("unsupported value " + value);
        }
    }

    private static byte[] unsigned(long n) {
        int length = 0;
        for (long v = n; v != 0; v >>>= 8) {
            length++;
        }
        byte[] bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            bytes[i] = (byte) n;
            n >>>= 8;
        }
        return bytes;
    }

    /** A control byte: type in the top three bits (0 plus an extension byte for types above 7), then size. */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        int sizeBits = size < 29 ? size : size < 285 ? 29 : 30;
        out.write((type <= 7 ? type : 0) << 5 | sizeBits);
        if (type > 7) {
            out.write(type - 7);
        }
        if (sizeBits == 29) {
            out.write(size - 29);
        } else if (sizeBits == 30) {
            out.write((size - 285) >> 8);
            out.write(size - 285);
        }
    }
}
