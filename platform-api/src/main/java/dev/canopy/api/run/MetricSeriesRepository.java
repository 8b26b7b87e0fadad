package dev.canopy.api.run;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class MetricSeriesRepository implements PanacheRepositoryBase<MetricSeries, Long> {

    Optional<MetricSeries> findByRunAndKey(UUID runId, String key) {
        return find("runId = ?1 and key = ?2", runId, key).firstResultOptional();
    }

    List<MetricSeries> findByRun(UUID runId) {
        return list("runId = ?1 order by key", runId);
    }

    /** Latest value of every metric of the given runs, by run and key. */
    Map<UUID, Map<String, Double>> latestValues(Collection<UUID> runIds) {
        Map<UUID, Map<String, Double>> values = new HashMap<>();
        if (runIds.isEmpty()) {
            return values;
        }
        for (MetricSeries s : list("runId in ?1 and latestValue is not null", runIds)) {
            values.computeIfAbsent(s.runId, id -> new HashMap<>()).put(s.key, s.latestValue);
        }
        return values;
    }
}
