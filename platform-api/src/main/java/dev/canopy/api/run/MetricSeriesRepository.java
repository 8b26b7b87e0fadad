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

    /**
     * Latest value of every metric of the given runs, by run and key. The three columns only, not the series as
     * entities: a page of 1,000 runs with thousands of keys each would put millions of managed entities (with their
     * snapshots for dirty checking) in the request's persistence context.
     */
    Map<UUID, Map<String, Double>> latestValues(Collection<UUID> runIds) {
        Map<UUID, Map<String, Double>> values = new HashMap<>();
        if (runIds.isEmpty()) {
            return values;
        }
        List<Object[]> rows = getEntityManager()
                .createQuery(
                        "select s.runId, s.key, s.latestValue from MetricSeries s"
                                + " where s.runId in ?1 and s.latestValue is not null",
                        Object[].class)
                .setParameter(1, runIds)
                .getResultList();
        for (Object[] row : rows) {
            values.computeIfAbsent((UUID) row[0], id -> new HashMap<>()).put((String) row[1], (Double) row[2]);
        }
        return values;
    }
}
