package dev.canopy.api.run;

import static dev.canopy.api.run.SqlVocabulary.assertFixedVocabulary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.canopy.api.error.ErrorResponse;
import dev.canopy.api.error.InvalidRequest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RunOrderTest {

    private static RunOrder order(String... entries) {
        RunOrder order = RunOrder.parse(List.of(entries));
        assertFixedVocabulary(order.joins());
        assertFixedVocabulary(new SqlFragment(order.orderBy(), List.of()));
        return order;
    }

    private static String problem(List<String> entries) {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> RunOrder.parse(entries));
        ErrorResponse.Detail detail = error.details().get(0);
        assertEquals("orderBy", detail.field());
        return detail.problem();
    }

    private static String problem(String entry) {
        return problem(List.of(entry));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void noEntriesMeansNoOrderingAndNoJoins(List<String> entries) {
        RunOrder order = RunOrder.parse(entries);
        assertEquals(new SqlFragment("", List.of()), order.joins());
        assertEquals("", order.orderBy());
    }

    @Test
    void metricJoinsItsKeyAndPutsRunsWithoutItLast() {
        RunOrder order = order("metrics.acc desc", "startedAt");
        assertEquals(
                new SqlFragment("LEFT JOIN metric_series o0 ON o0.run_id = r.id AND o0.key = ?", List.of("acc")),
                order.joins());
        assertEquals("NULLIF(o0.latest_value, 'NaN') DESC NULLS LAST, r.started_at ASC NULLS LAST", order.orderBy());
        assertEquals(
                "NULLIF(o0.latest_value, 'NaN') ASC NULLS LAST",
                order("metrics.acc").orderBy());
    }

    @Test
    void eachKeyedEntryGetsItsOwnJoin() {
        RunOrder order = order("params.opt", "name desc", "metrics.loss ASC", "metrics.acc DeSc");
        assertEquals(
                new SqlFragment(
                        "LEFT JOIN run_params o0 ON o0.run_id = r.id AND o0.key = ?"
                                + " LEFT JOIN metric_series o1 ON o1.run_id = r.id AND o1.key = ?"
                                + " LEFT JOIN metric_series o2 ON o2.run_id = r.id AND o2.key = ?",
                        List.of("opt", "loss", "acc")),
                order.joins());
        assertEquals(
                "o0.value ASC NULLS LAST, r.name DESC, NULLIF(o1.latest_value, 'NaN') ASC NULLS LAST, NULLIF(o2.latest_value, 'NaN') DESC NULLS LAST",
                order.orderBy());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "name | r.name ASC",
                "status desc | r.status DESC",
                "attributes.experiment | e.name ASC",
                "createdAt DESC | r.created_at DESC",
                "startedAt asc | r.started_at ASC NULLS LAST",
                "  endedAt   desc  | r.ended_at DESC NULLS LAST",
            })
    void attributesOrderByTheirColumns(String entry, String expected) {
        RunOrder order = order(entry);
        assertEquals(expected, order.orderBy());
        assertEquals(new SqlFragment("", List.of()), order.joins());
    }

    @Test
    void keysMayBeQuoted() {
        assertEquals(
                List.of("val loss"), order("metrics.`val loss` desc").joins().parameters());
        assertEquals(List.of("a `b`"), order("params.\"a `b`\"").joins().parameters());
        assertEquals(
                List.of("val/loss:1-x_y.z"),
                order("metrics.val/loss:1-x_y.z").joins().parameters());
    }

    @Test
    void bindsKeysNeverInlinesThem() {
        RunOrder order = order("metrics.`x'; DROP TABLE runs; --` desc", "params.\"o0.key = ? OR 1=1\"");
        assertEquals(
                "LEFT JOIN metric_series o0 ON o0.run_id = r.id AND o0.key = ?"
                        + " LEFT JOIN run_params o1 ON o1.run_id = r.id AND o1.key = ?",
                order.joins().sql());
        assertEquals(
                List.of("x'; DROP TABLE runs; --", "o0.key = ? OR 1=1"),
                order.joins().parameters());
    }

    @Test
    void refusesMoreThanFiveEntries() {
        order("name", "status", "experiment", "createdAt", "metrics.acc");
        assertEquals("has 6 entries; at most 5 are allowed", problem(Collections.nCopies(6, "name")));
    }

    @Test
    void refusesUnknownFields() {
        String fields = "; use metrics.<key>, params.<key>, status, experiment, name, createdAt, startedAt, endedAt";
        assertEquals("entry 1 has unknown field 'colour'" + fields, problem("colour desc"));
        assertEquals("entry 2 has unknown field 'tags.team'" + fields, problem(List.of("name", "tags.team")));
        assertEquals("entry 1 has unknown field 'recipe'" + fields, problem("recipe"));
        assertEquals("entry 1 has unknown field 'Name'" + fields, problem("Name"));
    }

    @Test
    void refusesUnknownDirectionsAndExtraWords() {
        assertEquals("entry 1 has unknown direction 'up'; use asc or desc", problem("name up"));
        assertEquals("entry 1 should be '<field> [asc|desc]' but is 'name asc nulls'", problem("name asc nulls"));
        assertEquals("entry 1 should be '<field> [asc|desc]' but is '  '", problem("  "));
        assertEquals("entry 1 should be '<field> [asc|desc]' but is null", problem(Arrays.asList((String) null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"metrics.", "metrics.a;b", "params.``", "metrics.`a", "params.\"a\"b\"", "metrics.é"})
    void refusesInvalidKeys(String entry) {
        assertEquals(
                "entry 1 has invalid key " + FilterErrors.quote(entry.substring(entry.indexOf('.') + 1))
                        + "; write it as [A-Za-z0-9_.-/:]+, or quote it in backticks",
                problem(entry));
    }
}
