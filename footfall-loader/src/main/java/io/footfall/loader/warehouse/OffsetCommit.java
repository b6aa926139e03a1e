package io.footfall.loader.warehouse;

/**
 * One partition's offsets in a batch commit: the batch was read from {@code expectedNext} (what the
 * warehouse held when this loader positioned itself, {@link #NONE} when it held nothing) and moves the
 * stored offset to {@code next}. The writer refuses the batch when the stored offset is not
 * {@code expectedNext} any more: another loader has committed that partition since (a zombie fence).
 */
public record OffsetCommit(int partition, long expectedNext, long next) {

    /** No offset stored yet for the partition. */
    public static final long NONE = -1;
}
