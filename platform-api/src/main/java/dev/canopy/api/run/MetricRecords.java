package dev.canopy.api.run;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request and response records of metrics. */
final class MetricRecords {

    private MetricRecords() {}

    /**
     * A batch of points, as documented in the OpenAPI document (the body itself is read by
     * {@link MetricBatchReader}). With a {@code batchId}, sending the same batch again changes nothing; put it
     * before {@code points} so that a retry is recognised before anything is written.
     */
    record MetricBatchRequest(
            @Schema(maxLength = 100) String batchId, @Schema(required = true) List<PointDocument> points) {}

    /** One point on the wire. */
    record PointDocument(
            @Schema(required = true) String key,
            @Schema(description = "default 0") Long step,
            @Schema(description = "epoch milliseconds or ISO-8601; default: when received") String timestamp,
            @Schema(required = true, description = "a number, \"NaN\", \"Infinity\" or \"-Infinity\"") Double value) {}

    record IngestResponse(int accepted, boolean duplicate) {}

    record Point(long step, Instant timestamp, double value) {}

    record HistoryResponse(String key, long totalPoints, boolean downsampled, List<Point> points) {}

    record SeriesResponse(String key, long points, Long latestStep, Instant latestTimestamp, Double latestValue) {
        static SeriesResponse from(MetricSeries s) {
            return new SeriesResponse(
                    s.key,
                    s.pointCount,
                    s.latestStep,
                    s.latestTimestamp == null ? null : Instant.ofEpochMilli(s.latestTimestamp),
                    s.latestValue);
        }
    }
}
