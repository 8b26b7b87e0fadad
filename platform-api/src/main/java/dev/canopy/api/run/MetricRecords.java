package dev.canopy.api.run;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;

/** Request and response records of metrics. */
final class MetricRecords {

    private MetricRecords() {}

    /**
     * A batch of points. With a {@code batchId}, sending the same batch again changes nothing.
     *
     * @param points each with a key, a step (default 0), a timestamp (epoch milliseconds or ISO-8601; default:
     *     when received) and a value (a number, or "NaN", "Infinity", "-Infinity")
     */
    record MetricBatchRequest(@Size(min = 1, max = 100) String batchId, @NotNull List<PointRequest> points) {}

    record PointRequest(
            String key,
            Long step,
            @JsonDeserialize(using = TimestampDeserializer.class) Long timestamp,
            Double value) {}

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

    /** Accepts epoch milliseconds (as MLflow sends them) or an ISO-8601 instant. */
    static final class TimestampDeserializer extends JsonDeserializer<Long> {

        @Override
        public Long deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return parser.getLongValue();
            }
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                try {
                    return Instant.parse(parser.getText()).toEpochMilli();
                } catch (DateTimeException e) {
                    return (Long) context.handleWeirdStringValue(
                            Long.class, parser.getText(), "not an ISO-8601 instant or epoch milliseconds");
                }
            }
            return (Long) context.handleUnexpectedToken(Long.class, parser);
        }
    }
}
