package dev.canopy.api.run;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/**
 * One metric key of one run: how many points it has, their extent and the latest point. Maintained by
 * {@link MetricIngestion} in the same transaction as the points; read-only here.
 */
@Entity
@Table(name = "metric_series")
class MetricSeries {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "run_id", nullable = false)
    UUID runId;

    @Column(name = "key", nullable = false, length = 250)
    String key;

    @Column(name = "point_count", nullable = false)
    long pointCount;

    @Column(name = "block_count", nullable = false)
    long blockCount;

    @Column(name = "min_step")
    Long minStep;

    @Column(name = "max_step")
    Long maxStep;

    @Column(name = "min_timestamp")
    Long minTimestamp;

    @Column(name = "max_timestamp")
    Long maxTimestamp;

    @Column(name = "latest_step")
    Long latestStep;

    @Column(name = "latest_timestamp")
    Long latestTimestamp;

    @Column(name = "latest_value")
    Double latestValue;

    protected MetricSeries() {}
}
