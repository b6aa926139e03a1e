package io.footfall.app.collector.hostile;

/** The corpus's categories, one data file each under {@code src/test/resources/hostile/}. */
public enum Category {
    HTTP_FRAMING("http-framing", "frm"),
    HEADERS("headers", "hdr"),
    METHODS_AND_MEDIA_TYPES("methods-and-media-types", "mth"),
    ENCODING_AND_COMPRESSION("encoding-and-compression", "enc"),
    JSON_STRUCTURE("json-structure", "jsn"),
    FIELD_TYPES_AND_VALUES("field-types-and-values", "fld"),
    SIZES("sizes", "siz"),
    SLOW_CLIENTS("slow-clients", "slw");

    private final String file;
    private final String code;

    Category(String file, String code) {
        this.file = file;
        this.code = code;
    }

    /** The name of its data file, and of the category in reports. */
    public String label() {
        return file;
    }

    String resource() {
        return "/hostile/" + file + ".cases";
    }

    /** Three letters in every marker of the category's cases. */
    String code() {
        return code;
    }
}
