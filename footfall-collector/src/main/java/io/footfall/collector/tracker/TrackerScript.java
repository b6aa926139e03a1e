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
     * The source as browsers get it: its header replaced by a line naming the docs, without the lines that are
     * comments, the comments after a statement ({@code ; // ...}), indentation or empty lines. Line breaks stay, so
     * the script means what the source says; a third of the bytes are gone.
     */
    static String compact(String source) {
        String body = source.startsWith("/*") ? source.substring(source.indexOf("*/") + 2) : source;
        StringBuilder out = new StringBuilder("/* footfall.js */\n");
        for (String line : body.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("//")) {
                out.append(TRAILING_COMMENT.matcher(t).replaceFirst(";")).append('\n');
            }
        }
        return out.toString();
    }

    private static final java.util.regex.Pattern TRAILING_COMMENT = java.util.regex.Pattern.compile(";\\s+//\\s.*$");

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
