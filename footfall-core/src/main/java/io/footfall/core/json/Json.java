package io.footfall.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one {@link JsonFactory} of footfall, with strict limits for untrusted input.
 *
 * <p>Events are flat (an array of objects whose {@code props} is one more level), so a nesting depth of
 * 8 is generous; a string longer than an event (32 KB) or a 100-digit number can only be an attack.
 */
public final class Json {

    /** Deepest nesting accepted in any body: array → event → props, with room to spare. */
    public static final int MAX_DEPTH = 8;
    /** Longest single string token accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 64 * 1024;
    /** Longest number token accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 40;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxNameLength(1024)
                    .build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private Json() {
    }

    /** Something that writes one JSON value. */
    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator generator) throws IOException;
    }

    /** Writes one JSON value to a fresh UTF-8 byte array. */
    public static byte[] toBytes(Writer writer) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(512);
             JsonGenerator generator = FACTORY.createGenerator(out)) {
            writer.write(generator);
            generator.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a string field only when the value is present. */
    public static void writeOptional(JsonGenerator generator, String field, String value) throws IOException {
        if (value != null) {
            generator.writeStringField(field, value);
        }
    }

    /** Writes a string field only when the value is present; the name pre-encoded. */
    public static void writeOptional(JsonGenerator generator, SerializableString field, String value)
            throws IOException {
        if (value != null) {
            generator.writeFieldName(field);
            generator.writeString(value);
        }
    }

    /** Writes a number field only when the value is present; the name pre-encoded. */
    public static void writeOptional(JsonGenerator generator, SerializableString field, Long value)
            throws IOException {
        if (value != null) {
            generator.writeFieldName(field);
            generator.writeNumber(value);
        }
    }

    /** Writes a number field only when the value is present. */
    public static void writeOptional(JsonGenerator generator, String field, Long value) throws IOException {
        if (value != null) {
            generator.writeNumberField(field, value);
        }
    }
}
