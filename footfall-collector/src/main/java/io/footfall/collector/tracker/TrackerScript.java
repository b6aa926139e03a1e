package io.footfall.collector.tracker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * The browser tracker {@code footfall.js}, read once from the classpath at start and kept in memory as
 * plain and gzip bytes, with a content-hash ETag — serving it is a lookup, never file I/O on the event loop.
 */
public final class TrackerScript {

    private static final String RESOURCE = "/io/footfall/collector/tracker/footfall.js";

    private final byte[] plain;
    private final byte[] gzip;
    private final String etag;
    private final String gzipEtag;

    private TrackerScript(byte[] plain) {
        this.plain = plain;
        this.gzip = gzip(plain);
        String version = HexFormat.of().formatHex(sha256(plain), 0, 8);
        this.etag = '"' + version + '"';
        // A strong ETag names one representation's bytes: the gzip body has its own.
        this.gzipEtag = '"' + version + "-gz\"";
    }

    public static TrackerScript load() {
        try (InputStream in = TrackerScript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("tracker script " + RESOURCE + " is missing from the build");
            }
            return new TrackerScript(compact(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The source as browsers get it: its header replaced by a line naming the docs, each line without its comment,
     * its indentation and the spaces JavaScript does not need (a space stays only between two characters of names,
     * numbers or keywords, and between two {@code +} or two {@code -}); strings and regular expressions are copied
     * as written, and empty lines dropped. Line breaks stay, so the script means what the source says.
     */
    static String compact(String source) {
        String body = source.startsWith("/*") ? source.substring(source.indexOf("*/") + 2) : source;
        StringBuilder out = new StringBuilder("/* footfall.js */\n");
        for (String line : body.split("\n")) {
            String t = squeeze(line);
            if (!t.isEmpty()) {
                out.append(t).append('\n');
            }
        }
        return out.toString();
    }

    private static String squeeze(String line) {
        StringBuilder out = new StringBuilder(line.length());
        boolean spaced = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r') {
                spaced = true;
                i++;
                continue;
            }
            if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                break; // a comment, to the end of the line
            }
            if (spaced && !out.isEmpty() && needsSpace(out.charAt(out.length() - 1), c)) {
                out.append(' ');
            }
            spaced = false;
            if (c == '\'' || c == '"' || c == '`') {
                i = copyLiteral(line, i, c, false, out);
            } else if (c == '/' && regexMayStart(out)) {
                i = copyLiteral(line, i, '/', true, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean needsSpace(char before, char after) {
        return isNameChar(before) && isNameChar(after) || before == after && (before == '+' || before == '-');
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
    }

    /** A slash starts a regular expression where a value is expected (this script divides nothing). */
    private static boolean regexMayStart(StringBuilder out) {
        if (out.isEmpty()) {
            return true;
        }
        String s = out.toString();
        return "(,=:[!&|?{};+-*%<>~^".indexOf(s.charAt(s.length() - 1)) >= 0 || s.endsWith("return") || s.endsWith("typeof");
    }

    /** Copies a string or regular expression literal (with a regex's flags) whole; returns the index after it. */
    private static int copyLiteral(String line, int start, char quote, boolean regex, StringBuilder out) {
        boolean inClass = false;
        for (int i = start + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (regex && (c == '[' || c == ']')) {
                inClass = c == '[';
            } else if (c == quote && !inClass) {
                int end = i + 1;
                while (regex && end < line.length() && Character.isLetter(line.charAt(end))) {
                    end++;
                }
                out.append(line, start, end);
                return end;
            }
        }
        throw new IllegalStateException("footfall.js: a literal is not closed on its line: " + line.strip());
    }

    public byte[] plain() {
        return plain.clone();
    }

    /** The body to send: gzip when the client accepts it. Shared, never modified. */
    public byte[] body(boolean gzipped) {
        return gzipped ? gzip : plain;
    }

    /** The ETag of the plain body. */
    public String etag() {
        return etag;
    }

    /** The ETag of {@link #body(boolean)}'s representation. */
    public String etag(boolean gzipped) {
        return gzipped ? gzipEtag : etag;
    }

    /** True when an {@code If-None-Match} header names the current version of that representation (or {@code *}). */
    public boolean matches(String ifNoneMatch, boolean gzipped) {
        return matches(ifNoneMatch, etag(gzipped));
    }

    /** True when an {@code If-None-Match} header names the current plain version (or {@code *}). */
    public boolean matches(String ifNoneMatch) {
        return matches(ifNoneMatch, etag);
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag) || t.equals("*")) {
                return true;
            }
        }
        return false;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
