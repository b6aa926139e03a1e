package io.footfall.collector.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.footfall.core.event.EventReader;
import io.footfall.core.event.InvalidEventException;
import io.footfall.core.event.RawEvent;
import io.footfall.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Turns a request body into events: gzip (bounded while inflating), then one JSON object, a JSON array,
 * or NDJSON. Parsing is streaming and single-pass; each event is validated as it is read.
 */
public final class BodyDecoder {

    /** The rejection reason of an event for a site outside {@code collector.allowedSites}. */
    public static final String UNKNOWN_SITE = "unknown_site";

    private final Limits limits;

    public BodyDecoder(Limits limits) {
        this.limits = limits;
    }

    /**
     * @param contentType     the request's Content-Type, or null
     * @param contentEncoding the request's Content-Encoding, or null
     * @throws RequestRejected when the body as a whole cannot be taken
     */
    public DecodedBatch decode(byte[] body, int length, String contentType, String contentEncoding, long receivedAt)
            throws RequestRejected {
        Format format = Format.of(contentType);
        byte[] bytes = body;
        int size = length;
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("identity")) {
            if (!contentEncoding.trim().equalsIgnoreCase("gzip")) {
                throw new RequestRejected(415, "unsupported_encoding", "Content-Encoding must be gzip or identity");
            }
            bytes = gunzip(body, length);
            size = bytes.length;
        }
        if (size == 0) {
            throw new RequestRejected(400, "empty_body", "the request body is empty");
        }
        return format == Format.NDJSON ? ndjson(bytes, size, receivedAt) : json(bytes, size, receivedAt);
    }

    private enum Format {
        JSON, NDJSON;

        static Format of(String contentType) throws RequestRejected {
            if (contentType == null || contentType.isBlank()) {
                return JSON;
            }
            String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            return switch (mime) {
                case "application/json", "text/plain" -> JSON;
                case "application/x-ndjson", "application/ndjson", "application/jsonl" -> NDJSON;
                default -> throw new RequestRejected(415, "unsupported_media_type",
                        "Content-Type must be application/json, text/plain, application/x-ndjson, application/ndjson or application/jsonl");
            };
        }
    }

    /** Inflates at most {@code maxRequestBytes}; a bigger or disproportionate result is cut off while inflating. */
    byte[] gunzip(byte[] body, int length) throws RequestRejected {
        long ratioCap = (long) length * limits.maxInflateRatio();
        long cap = Math.min(limits.maxRequestBytes(), Math.max(ratioCap, 1024));
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(length * 4, limits.maxRequestBytes()));
        byte[] buffer = new byte[8192];
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body, 0, length), 8192)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > cap) {
                    boolean ratio = cap < limits.maxRequestBytes();
                    throw new RequestRejected(413, ratio ? "compression_ratio" : "body_too_large",
                            ratio ? "the body inflates more than " + limits.maxInflateRatio() + ":1"
                                    : "the body is larger than "
                                    + limits.maxRequestBytes() + " bytes decompressed");
                }
                out.write(buffer, 0, n);
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new RequestRejected(400, "invalid_gzip", "the body is not valid gzip");
        } catch (IOException e) {
            throw new RequestRejected(400, "invalid_gzip", "the body is not valid gzip");
        }
        return out.toByteArray();
    }

    private DecodedBatch json(byte[] bytes, int size, long receivedAt) throws RequestRejected {
        List<RawEvent> accepted = new ArrayList<>();
        List<DecodedBatch.Rejection> rejected = new ArrayList<>();
        try (JsonParser parser = Json.FACTORY.createParser(bytes, 0, size)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                int index = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    checkCount(index);
                    readOne(parser, bytes, index++, receivedAt, accepted, rejected);
                }
            } else if (first == JsonToken.START_OBJECT) {
                readOne(parser, bytes, 0, receivedAt, accepted, rejected);
            } else {
                throw new RequestRejected(400, "invalid_json", "the body must be a JSON object or array");
            }
            if (parser.nextToken() != null) {
                throw new RequestRejected(400, "invalid_json", "unexpected content after the JSON value");
            }
        } catch (StreamConstraintsException e) {
            throw new RequestRejected(400, "json_limit", "the JSON exceeds a limit (nesting, string or number length)");
        } catch (IOException e) {
            throw new RequestRejected(400, "invalid_json", "the body is not valid JSON");
        }
        return new DecodedBatch(accepted, rejected);
    }

    private DecodedBatch ndjson(byte[] bytes, int size, long receivedAt) throws RequestRejected {
        List<RawEvent> accepted = new ArrayList<>();
        List<DecodedBatch.Rejection> rejected = new ArrayList<>();
        int index = 0;
        int start = 0;
        while (start < size) {
            int end = start;
            while (end < size && bytes[end] != '\n') {
                end++;
            }
            if (!isBlank(bytes, start, end)) {
                checkCount(index);
                readLine(bytes, start, end, index++, receivedAt, accepted, rejected);
            }
            start = end + 1;
        }
        if (index == 0) {
            throw new RequestRejected(400, "empty_body", "the body holds no events");
        }
        return new DecodedBatch(accepted, rejected);
    }

    private void readLine(byte[] bytes, int start, int end, int index, long receivedAt,
                          List<RawEvent> accepted, List<DecodedBatch.Rejection> rejected) {
        String payload = null;
        try (JsonParser parser = Json.FACTORY.createParser(bytes, start, end - start)) {
            if (end - start > limits.maxEventBytes()) {
                throw new InvalidEventException("event_too_large", "the event is larger than " + limits.maxEventBytes() + " bytes");
            }
            parser.nextToken();
            RawEvent event = EventReader.read(parser, receivedAt);
            if (parser.nextToken() != null) {
                throw new InvalidEventException("invalid_json", "unexpected content after the event on its line");
            }
            accepted.add(allowed(event));
        } catch (InvalidEventException e) {
            payload = text(bytes, start, end);
            rejected.add(new DecodedBatch.Rejection(index, e.reason(), e.getMessage(), payload));
        } catch (StreamConstraintsException e) {
            rejected.add(new DecodedBatch.Rejection(index, "json_limit",
                    "the line exceeds a JSON limit (nesting, string or number length)", text(bytes, start, end)));
        } catch (IOException e) {
            payload = text(bytes, start, end);
            rejected.add(new DecodedBatch.Rejection(index, "invalid_json", "the line is not valid JSON", payload));
        }
    }

    private void readOne(JsonParser parser, byte[] bytes, int index, long receivedAt,
                         List<RawEvent> accepted, List<DecodedBatch.Rejection> rejected) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        try {
            RawEvent event = EventReader.read(parser, receivedAt);
            int end = (int) parser.currentLocation().getByteOffset();
            if (end - start > limits.maxEventBytes()) {
                throw new InvalidEventException("event_too_large", "the event is larger than " + limits.maxEventBytes() + " bytes");
            }
            accepted.add(allowed(event));
        } catch (InvalidEventException e) {
            parser.finishToken(); // a string is read lazily: its end is known only once it is finished
            int end = (int) parser.currentLocation().getByteOffset();
            rejected.add(new DecodedBatch.Rejection(index, e.reason(), e.getMessage(),
                    text(bytes, start, Math.min(end, start + limits.maxEventBytes()))));
        }
    }

    private RawEvent allowed(RawEvent event) throws InvalidEventException {
        if (!limits.siteAllowed(event.site())) {
            throw new InvalidEventException(UNKNOWN_SITE, "this collector does not accept events for that site");
        }
        return event;
    }

    private void checkCount(int index) throws RequestRejected {
        if (index >= limits.maxEvents()) {
            throw new RequestRejected(413, "too_many_events", "a request may carry at most " + limits.maxEvents() + " events");
        }
    }

    private static boolean isBlank(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] bytes, int start, int end) {
        return new String(bytes, Math.max(0, start), Math.max(0, end - Math.max(0, start)), StandardCharsets.UTF_8);
    }
}
