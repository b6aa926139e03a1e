package io.footfall.app.collector.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * What a client does on one connection: bytes to write, pauses between them, and perhaps a half-close.
 * Built from the corpus's template text (see {@code hostile/README.md}):
 *
 * <ul>
 *   <li>{@code \r \n \t \\ \$ \xNN} are bytes; any other backslash stays as it is (so JSON's own {@code \"}
 *       and {@code \u0000} pass through);</li>
 *   <li>{@code ${M}} is the case's marker, {@code ${len}} the length of the body (bytes after the first
 *       blank line);</li>
 *   <li>{@code ${repeat:N}...${/repeat}} repeats, {@code ${drip:MS}...${/drip}} sends one byte per MS
 *       milliseconds, {@code ${pause:MS}} waits, {@code ${shut}} half-closes the connection.</li>
 * </ul>
 */
final class Script {

    sealed interface Step permits Bytes, Pause, Shut {
    }

    record Bytes(byte[] bytes) implements Step {
    }

    record Pause(long millis) implements Step {
    }

    record Shut() implements Step {
    }

    private final List<Step> steps;

    Script(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    List<Step> steps() {
        return steps;
    }

    /** Every byte the script writes, in order. */
    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Step step : steps) {
            if (step instanceof Bytes b) {
                out.writeBytes(b.bytes());
            }
        }
        return out.toByteArray();
    }

    boolean onlyBytes() {
        return steps.stream().allMatch(s -> s instanceof Bytes);
    }

    /** Expands a template; {@code ${len}} is filled in once the whole request is known. */
    static Script expand(String template, String marker) {
        Builder builder = new Builder();
        new Parser(template, marker, builder).run(template.length(), null);
        return builder.finish();
    }

    /** Applies the corpus's body transforms ({@code %gzip}, {@code %times=N}, {@code %cut=N}), left to right. */
    static byte[] transform(byte[] body, List<String> transforms) {
        byte[] out = body;
        for (String t : transforms) {
            if (t.equals("%gzip")) {
                out = gzip(out);
            } else if (t.startsWith("%times=")) {
                int n = Integer.parseInt(t.substring(7));
                ByteArrayOutputStream repeated = new ByteArrayOutputStream(out.length * n);
                for (int i = 0; i < n; i++) {
                    repeated.writeBytes(out);
                }
                out = repeated.toByteArray();
            } else if (t.startsWith("%cut=")) {
                int n = Integer.parseInt(t.substring(5));
                int keep = n >= 0 ? Math.min(n, out.length) : Math.max(0, out.length + n);
                out = java.util.Arrays.copyOf(out, keep);
            } else if (t.startsWith("%flip=")) {
                int n = Integer.parseInt(t.substring(6));
                out = out.clone();
                int at = n >= 0 ? n : out.length + n;
                out[at] ^= (byte) 0xff;
            } else if (t.startsWith("%pad=")) {
                int size = Integer.parseInt(t.substring(5));
                if (out.length > size || out.length == 0) {
                    throw new IllegalArgumentException("cannot pad " + out.length + " bytes to " + size);
                }
                byte[] padded = new byte[size];
                padded[0] = out[0];
                java.util.Arrays.fill(padded, 1, 1 + size - out.length, (byte) ' ');
                System.arraycopy(out, 1, padded, 1 + size - out.length, out.length - 1);
                out = padded;
            } else {
                throw new IllegalArgumentException("unknown body transform " + t);
            }
        }
        return out;
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 8));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Collects bytes into steps; {@code ${len}} is a hole filled by {@link #finish()}. */
    private static final class Builder {
        private final List<Object> parts = new ArrayList<>();
        private ByteArrayOutputStream current = new ByteArrayOutputStream();

        void write(byte[] bytes) {
            current.writeBytes(bytes);
        }

        void control(Object step) {
            flush();
            parts.add(step);
        }

        private void flush() {
            if (current.size() > 0) {
                parts.add(new Bytes(current.toByteArray()));
                current = new ByteArrayOutputStream();
            }
        }

        Script finish() {
            flush();
            List<Step> steps = new ArrayList<>();
            String length = Integer.toString(bodyLength());
            for (Object part : parts) {
                steps.add(part == LEN ? new Bytes(length.getBytes(StandardCharsets.US_ASCII)) : (Step) part);
            }
            return new Script(steps);
        }

        private int bodyLength() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (Object part : parts) {
                if (part instanceof Bytes b) {
                    all.writeBytes(b.bytes());
                }
            }
            byte[] bytes = all.toByteArray();
            // The body starts after the first blank line: CRLF CRLF, or LF LF for bare-LF framing cases.
            for (int i = 0; i + 1 < bytes.length; i++) {
                if (i + 3 < bytes.length && bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r'
                        && bytes[i + 3] == '\n') {
                    return bytes.length - i - 4;
                }
                if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
                    return bytes.length - i - 2;
                }
            }
            return 0;
        }
    }

    private static final Object LEN = new Object();

    /** Recursive descent over the template; repeat and drip blocks nest. */
    private static final class Parser {
        private final String text;
        private final String marker;
        private final Builder out;
        private int pos;

        Parser(String text, String marker, Builder out) {
            this.text = text;
            this.marker = marker;
            this.out = out;
        }

        /** Parses from {@code pos} until the end, or until the closing directive {@code close} (consumed). */
        void run(int end, String close) {
            while (pos < end) {
                char c = text.charAt(pos);
                if (c == '\\' && pos + 1 < end) {
                    escape();
                } else if (c == '$' && pos + 1 < end && text.charAt(pos + 1) == '{') {
                    int stop = text.indexOf('}', pos);
                    if (stop < 0) {
                        throw new IllegalArgumentException("unclosed ${ at " + pos);
                    }
                    String directive = text.substring(pos + 2, stop);
                    pos = stop + 1;
                    if (directive.equals(close)) {
                        return;
                    }
                    directive(directive);
                } else {
                    int cp = text.codePointAt(pos);
                    out.write(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    pos += Character.charCount(cp);
                }
            }
            if (close != null) {
                throw new IllegalArgumentException("missing ${" + close + "}");
            }
        }

        private void escape() {
            char next = text.charAt(pos + 1);
            switch (next) {
                case 'r' -> out.write(new byte[]{'\r'});
                case 'n' -> out.write(new byte[]{'\n'});
                case 't' -> out.write(new byte[]{'\t'});
                case '\\' -> out.write(new byte[]{'\\'});
                case '$' -> out.write(new byte[]{'$'});
                case 'x' -> {
                    out.write(new byte[]{(byte) Integer.parseInt(text.substring(pos + 2, pos + 4), 16)});
                    pos += 2;
                }
                default -> {
                    out.write(new byte[]{'\\'});
                    pos += 1;
                    return;
                }
            }
            pos += 2;
        }

        private void directive(String directive) {
            if (directive.equals("M")) {
                out.write(marker.getBytes(StandardCharsets.US_ASCII));
            } else if (directive.equals("len")) {
                out.control(LEN);
            } else if (directive.startsWith("random:")) {
                // Letters and digits from a fixed seed: text that gzip cannot shrink much, the same every run.
                java.util.SplittableRandom random = new java.util.SplittableRandom(7);
                String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                int n = Integer.parseInt(directive.substring(7));
                byte[] bytes = new byte[n];
                for (int i = 0; i < n; i++) {
                    bytes[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                }
                out.write(bytes);
            } else if (directive.equals("shut")) {
                out.control(new Shut());
            } else if (directive.startsWith("pause:")) {
                out.control(new Pause(Long.parseLong(directive.substring(6))));
            } else if (directive.startsWith("repeat:")) {
                int times = Integer.parseInt(directive.substring(7));
                List<Object> block = block("/repeat");
                for (int i = 0; i < times; i++) {
                    for (Object part : block) {
                        if (part instanceof Bytes b) {
                            out.write(b.bytes());
                        } else {
                            out.control(part);
                        }
                    }
                }
            } else if (directive.startsWith("drip:")) {
                long millis = Long.parseLong(directive.substring(5));
                for (Object part : block("/drip")) {
                    if (!(part instanceof Bytes b)) {
                        throw new IllegalArgumentException("only bytes may drip");
                    }
                    for (byte one : b.bytes()) {
                        out.control(new Bytes(new byte[]{one}));
                        out.control(new Pause(millis));
                    }
                }
            } else {
                throw new IllegalArgumentException("unknown directive ${" + directive + "}");
            }
        }

        /** Parses a block up to its closing directive into parts of its own. */
        private List<Object> block(String close) {
            Builder inner = new Builder();
            Parser nested = new Parser(text, marker, inner);
            nested.pos = pos;
            nested.run(text.length(), close);
            pos = nested.pos;
            inner.flush();
            return inner.parts;
        }
    }
}
