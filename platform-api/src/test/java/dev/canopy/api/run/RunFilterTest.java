package dev.canopy.api.run;

import static dev.canopy.api.run.SqlVocabulary.assertFixedVocabulary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.canopy.api.error.ErrorResponse;
import dev.canopy.api.error.InvalidRequest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RunFilterTest {

    private static final String METRIC = "EXISTS (SELECT 1 FROM metric_series ms WHERE ms.run_id = r.id AND ms.key = ?";
    private static final String PARAM = "EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.key = ?";
    private static final String TAG = "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ?";
    private static final String NUMERIC_PARAM =
            "(CASE WHEN p.value ~ " + FilterSql.NUMERIC_VALUE + " THEN CAST(p.value AS double precision) END)";

    private static SqlFragment sql(String filter) {
        SqlFragment fragment = RunFilter.parse(filter).toSql();
        assertFixedVocabulary(fragment);
        return fragment;
    }

    private static void assertSql(String filter, String expectedSql, Object... expectedParameters) {
        SqlFragment fragment = sql(filter);
        assertEquals(expectedSql, fragment.sql(), filter);
        assertEquals(List.of(expectedParameters), fragment.parameters(), filter);
    }

    /** The problem reported for {@code filter}, after checking that it is an InvalidRequest on the filter field. */
    private static String problem(String filter) {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> RunFilter.parse(filter));
        ErrorResponse.Detail detail = error.details().get(0);
        assertEquals("filter", detail.field());
        assertEquals("filter: " + detail.problem(), error.getMessage());
        return detail.problem();
    }

    @Nested
    class Fields {

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"   ", "\n\t"})
        void blankFilterMatchesEveryRun(String filter) {
            assertSql(filter, "TRUE");
        }

        @Test
        void metricComparisonBindsKeyAndDouble() {
            assertSql("metrics.acc > 0.9", METRIC + " AND NULLIF(ms.latest_value, 'NaN') > ?)", "acc", 0.9);
        }

        @ParameterizedTest
        @CsvSource({"=, =", "!=, <>", "<>, <>", "<, <", "<=, <=", ">, >", ">=, >="})
        void metricComparatorsMapToSql(String comparator, String sql) {
            assertSql(
                    "metrics.loss " + comparator + " 1",
                    METRIC + " AND NULLIF(ms.latest_value, 'NaN') " + sql + " ?)",
                    "loss",
                    1.0);
        }

        @ParameterizedTest
        @CsvSource({"-1.5e-3, -0.0015", "+2, 2", ".5, 0.5", "3., 3", "1E+2, 100", "0, 0"})
        void numbersTakeSignsFractionsAndExponents(String literal, double value) {
            assertSql(
                    "metrics.loss <= " + literal, METRIC + " AND NULLIF(ms.latest_value, 'NaN') <= ?)", "loss", value);
        }

        @Test
        void metricListsAndNullChecks() {
            assertSql(
                    "metrics.epoch in (1, 2.5)",
                    METRIC + " AND NULLIF(ms.latest_value, 'NaN') IN (?, ?))",
                    "epoch",
                    1.0,
                    2.5);
            assertSql(
                    "metrics.epoch not in (3)",
                    METRIC + " AND NULLIF(ms.latest_value, 'NaN') NOT IN (?))",
                    "epoch",
                    3.0);
            assertSql("metrics.acc is null", "NOT " + METRIC + ")", "acc");
            assertSql("metrics.acc is not null", METRIC + ")", "acc");
        }

        @Test
        void paramWithStringComparesText() {
            assertSql("params.lr = '0.01'", PARAM + " AND p.value = ?)", "lr", "0.01");
            assertSql("params.lr != \"0.01\"", PARAM + " AND p.value <> ?)", "lr", "0.01");
            assertSql("params.opt like 'ad%'", PARAM + " AND p.value LIKE ?)", "opt", "ad%");
            assertSql("params.opt ilike 'AD%'", PARAM + " AND p.value ILIKE ?)", "opt", "AD%");
            assertSql("params.opt in ('adam', 'sgd')", PARAM + " AND p.value IN (?, ?))", "opt", "adam", "sgd");
            assertSql("params.opt not in ('sgd')", PARAM + " AND p.value NOT IN (?))", "opt", "sgd");
        }

        @Test
        void paramWithNumberComparesOnlyNumericValuesWithoutCastingOthers() {
            assertSql("params.lr >= 0.001", PARAM + " AND " + NUMERIC_PARAM + " >= ?)", "lr", 0.001);
            assertSql(
                    "params.epochs in (10, 20)", PARAM + " AND " + NUMERIC_PARAM + " IN (?, ?))", "epochs", 10.0, 20.0);
            assertEquals(
                    "'^[+-]{0,1}([0-9]{1,30}([.][0-9]{0,30}){0,1}|[.][0-9]{1,30})([eE][+-]{0,1}[0-9]{1,2}){0,1}$'",
                    FilterSql.NUMERIC_VALUE);
        }

        @Test
        void paramNullChecksAskWhetherTheKeyExists() {
            assertSql("params.lr is null", "NOT " + PARAM + ")", "lr");
            assertSql("params.lr IS NOT NULL", PARAM + ")", "lr");
        }

        @Test
        void tagsUseTheirOwnTable() {
            assertSql("tags.team = 'vision'", TAG + " AND t.value = ?)", "team", "vision");
            assertSql("tags.team is null", "NOT " + TAG + ")", "team");
            assertSql(
                    "tags.size < 3",
                    TAG + " AND (CASE WHEN t.value ~ " + FilterSql.NUMERIC_VALUE
                            + " THEN CAST(t.value AS double precision) END) < ?)",
                    "size",
                    3.0);
        }

        @Test
        void keysMayBeQuotedInBackticksOrDoubleQuotes() {
            assertSql("params.`learning rate` = 'x'", PARAM + " AND p.value = ?)", "learning rate", "x");
            assertSql("tags.\"a 'b'\" = 'c'", TAG + " AND t.value = ?)", "a 'b'", "c");
            assertSql(
                    "metrics.val/loss:1-x_y.z < 1",
                    METRIC + " AND NULLIF(ms.latest_value, 'NaN') < ?)",
                    "val/loss:1-x_y.z",
                    1.0);
        }

        @Test
        void doubledQuotesInStringsStandForOneQuote() {
            assertSql("tags.note = 'it''s'", TAG + " AND t.value = ?)", "note", "it's");
            assertSql("tags.note = \"say \"\"hi\"\"\"", TAG + " AND t.value = ?)", "note", "say \"hi\"");
            assertSql("tags.note = ''", TAG + " AND t.value = ?)", "note", "");
        }

        @Test
        void statusAndKindAreCaseInsensitiveAndBoundUpperCase() {
            assertSql("status in ('finished','failed')", "r.status IN (?, ?)", "FINISHED", "FAILED");
            assertSql("attributes.status != 'Running'", "r.status <> ?", "RUNNING");
            assertSql("status not in ('queued', 'KILLED')", "r.status NOT IN (?, ?)", "QUEUED", "KILLED");
            assertSql("kind = 'trained'", "r.kind = ?", "TRAINED");
        }

        @Test
        void textAttributesCompareTheirColumns() {
            assertSql("experiment like 'bert-%'", "e.name LIKE ?", "bert-%");
            assertSql("name ilike '%BASE%'", "r.name ILIKE ?", "%BASE%");
            assertSql("recipe is null", "r.recipe IS NULL");
            assertSql("attributes.recipe in ('a', 'b')", "COALESCE(r.recipe IN (?, ?), FALSE)", "a", "b");
        }

        @Test
        void idBindsAUuid() {
            UUID id = UUID.fromString("0b5c1e58-3a2d-4f0e-9a4b-1d2c3e4f5a6b");
            assertSql("id = '0B5C1E58-3A2D-4F0E-9A4B-1D2C3E4F5A6B'", "r.id = ?", id);
        }

        @Test
        void timestampsBindUtcOffsetDateTimes() {
            assertSql(
                    "createdAt >= '2026-01-02'",
                    "r.created_at >= ?",
                    OffsetDateTime.of(2026, 1, 2, 0, 0, 0, 0, ZoneOffset.UTC));
            assertSql(
                    "startedAt < '2026-01-02T03:04:05+02:00'",
                    "COALESCE(r.started_at < ?, FALSE)",
                    OffsetDateTime.of(2026, 1, 2, 1, 4, 5, 0, ZoneOffset.UTC));
            assertSql(
                    "endedAt != '2026-01-02T03:04:05.250Z'",
                    "COALESCE(r.ended_at <> ?, FALSE)",
                    OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 250_000_000, ZoneOffset.UTC));
            assertSql("endedAt is null", "r.ended_at IS NULL");
        }
    }

    @Nested
    class Logic {

        @Test
        void andBindsTighterThanOr() {
            assertSql(
                    "status = 'failed' or metrics.acc > 0.9 and params.lr = '0.01'",
                    "r.status = ? OR (" + METRIC + " AND NULLIF(ms.latest_value, 'NaN') > ?) AND " + PARAM
                            + " AND p.value = ?))",
                    "FAILED",
                    "acc",
                    0.9,
                    "lr",
                    "0.01");
        }

        @Test
        void parenthesesOverridePrecedence() {
            assertSql(
                    "(name = 'a' or name = 'b') and kind = 'tracked'",
                    "(r.name = ? OR r.name = ?) AND r.kind = ?",
                    "a",
                    "b",
                    "TRACKED");
        }

        @Test
        void notBindsTighterThanAnd() {
            assertSql("not name = 'a' and name = 'b'", "NOT (r.name = ?) AND r.name = ?", "a", "b");
            assertSql("not (name = 'a' and name = 'b')", "NOT (r.name = ? AND r.name = ?)", "a", "b");
            assertSql("not not name = 'a'", "NOT (NOT (r.name = ?))", "a");
        }

        @Test
        void redundantParenthesesAndNestedChainsFlatten() {
            assertSql("((name = 'a'))", "r.name = ?", "a");
            assertSql(
                    "name = 'a' and (name = 'b' and (name = 'c'))",
                    "r.name = ? AND r.name = ? AND r.name = ?",
                    "a",
                    "b",
                    "c");
            assertSql(
                    "(name = 'a' or (name = 'b' or name = 'c')) and name = 'd'",
                    "(r.name = ? OR r.name = ? OR r.name = ?) AND r.name = ?",
                    "a",
                    "b",
                    "c",
                    "d");
        }

        @Test
        void keywordsAreCaseInsensitive() {
            assertSql(
                    "NOT status IN ('running') AnD metrics.acc IS NOT NULL Or params.x LIKE 'a' OR tags.y NOT IN ('b')",
                    "(NOT (r.status IN (?)) AND " + METRIC + ")) OR " + PARAM + " AND p.value LIKE ?) OR " + TAG
                            + " AND t.value NOT IN (?))",
                    "RUNNING",
                    "acc",
                    "x",
                    "a",
                    "y",
                    "b");
        }

        @Test
        void operatorsNeedNoSpaces() {
            assertSql(
                    "(metrics.a>=-1)and(params.b!='x')",
                    METRIC + " AND NULLIF(ms.latest_value, 'NaN') >= ?) AND " + PARAM + " AND p.value <> ?)",
                    "a",
                    -1.0,
                    "b",
                    "x");
        }

        @Test
        void longChainsStayShallow() {
            String filter = String.join(" or ", Collections.nCopies(400, "name = 'x'"));
            SqlFragment fragment = sql(filter);
            assertEquals(400, fragment.parameters().size());
        }
    }

    @Nested
    class Errors {

        @Test
        void namesPositionAndWhatWasExpected() {
            assertEquals(
                    "at position 14: expected an operator after 'params.lr' but found 'foo'",
                    problem("   params.lr foo 'x'"));
            assertEquals("at position 9: unexpected end of filter, expected a value", problem("status ="));
            assertEquals(
                    "at position 11: unexpected end of filter, expected an operator after 'params.lr'",
                    problem("params.lr "));
            assertEquals("at position 1: expected a field but found ')'", problem(") and"));
            assertEquals("at position 21: unexpected end of filter, expected a field", problem("name = 'a' and (not "));
        }

        @Test
        void unknownFieldListsTheFields() {
            assertEquals(
                    "at position 1: unknown field 'colour'; use metrics.<key>, params.<key>, tags.<key>, status,"
                            + " experiment, recipe, name, kind, id, createdAt, startedAt, endedAt",
                    problem("colour = 'red'"));
            assertTrue(problem("name = 'a' or Status = 'x'").startsWith("at position 15: unknown field 'Status'"));
            assertTrue(problem("metric.acc > 1").startsWith("at position 1: unknown field 'metric.acc'"));
        }

        @Test
        void reportsUnterminatedStringsAtTheirOpeningQuote() {
            assertEquals("at position 30: unterminated string", problem("status = 'FAILED' and name = 'abc"));
            assertEquals("at position 8: unterminated quoted key", problem("params.`lr = 1"));
        }

        @Test
        void reportsTrailingGarbage() {
            assertEquals("at position 20: unexpected 'xyz' after a complete filter", problem("status = 'RUNNING' xyz"));
            assertEquals("at position 11: unexpected ')' after a complete filter", problem("name = 'a')"));
        }

        @Test
        void reportsUnclosedParentheses() {
            assertEquals(
                    "at position 14: unexpected end of filter, expected ')' to close the '(' at position 1",
                    problem("((name = 'a')"));
            assertEquals("at position 14: expected ',' or ')' in the list but found 'b'", problem("name in ('a' b)"));
            assertEquals("at position 10: expected a value but found ')'", problem("name in ()"));
            assertEquals("at position 9: expected '(' after 'in' but found ''a''", problem("name in 'a'"));
        }

        @Test
        void reportsBadOperatorsAndValues() {
            assertEquals("at position 10: expected 'in' after 'not' but found 'like'", problem("name not like 'a'"));
            assertEquals(
                    "at position 11: expected 'null' or 'not null' after 'is' but found ''x''",
                    problem("recipe is 'x'"));
            assertEquals(
                    "at position 10: expected a value but found 'FINISHED' (strings need quotes)",
                    problem("status = FINISHED"));
            assertEquals("at position 8: unexpected character ';'", problem("name = ;"));
            assertEquals("at position 6: unexpected character '!'", problem("name ! 'a'"));
            assertEquals("at position 15: malformed number '1.2.3'", problem("metrics.acc = 1.2.3"));
            assertEquals("at position 15: number '1e999' is out of range", problem("metrics.acc = 1e999"));
        }

        @Test
        void reportsBadKeys() {
            assertEquals("at position 9: a key cannot be empty", problem("metrics.`` > 1"));
            assertEquals(
                    "at position 9: expected a key right after 'params.' but found '`lr`'",
                    problem("params. `lr` = 'x'"));
            assertEquals(
                    "at position 6: expected a key right after 'tags.' but found ''x''", problem("tags.'x' = 'y'"));
        }

        @Test
        void metricsTakeNumbersOnly() {
            assertEquals(
                    "at position 15: metrics are numbers: compare metrics.acc with a number",
                    problem("metrics.acc = '0.9'"));
            assertEquals(
                    "at position 13: metrics are numbers: 'like' does not apply to metrics.acc",
                    problem("metrics.acc like '0.%'"));
            assertEquals(
                    "at position 20: metrics are numbers: compare metrics.acc with a number",
                    problem("metrics.acc in (1, '2')"));
        }

        @Test
        void paramsAndTagsCompareStringsOrNumbersNotBoth() {
            assertEquals(
                    "at position 13: '<' compares numbers: write a number, not a string", problem("params.lr < '0.1'"));
            assertEquals("at position 11: 'LIKE' matches text: quote the pattern", problem("params.lr LIKE 1"));
            assertEquals("at position 20: the list mixes numbers and strings", problem("tags.size in ('1', 2)"));
        }

        @Test
        void attributesTakeTheirOwnOperatorsAndValues() {
            assertEquals(
                    "at position 10: 'done' is not a status; use QUEUED, RUNNING, FINISHED, FAILED, KILLED",
                    problem("status = 'done'"));
            assertEquals("at position 8: status can be compared with =, !=, in, not in", problem("status like 'F%'"));
            assertEquals("at position 8: status can be compared with =, !=, in, not in", problem("status is null"));
            assertEquals("at position 8: 'x' is not a kind; use TRACKED, TRAINED", problem("kind = 'x'"));
            assertEquals(
                    "at position 6: name can be compared with =, !=, like, ilike, in, not in, is null, is not null",
                    problem("name > 'a'"));
            assertEquals("at position 8: name takes a quoted string, not the number 42", problem("name = 42"));
            assertEquals("at position 6: 'run-1' is not a run id (a UUID)", problem("id = 'run-1'"));
            assertEquals(
                    "at position 11: createdAt can be compared with =, !=, <, <=, >, >=, is null, is not null",
                    problem("createdAt in ('2026-01-01')"));
        }

        @Test
        void timestampsNeedIsoInstantsOrDates() {
            String expected = "is not a timestamp; use ISO-8601 such as 2026-01-02T03:04:05Z or 2026-01-02";
            assertEquals("at position 13: 'yesterday' " + expected, problem("createdAt > 'yesterday'"));
            assertEquals(
                    "at position 13: '2026-01-02T03:04:05' " + expected, problem("createdAt > '2026-01-02T03:04:05'"));
            assertEquals("at position 13: '2026-02-30' " + expected, problem("createdAt > '2026-02-30'"));
            assertEquals(
                    "at position 13: '+10000-01-01T00:00:00Z' is out of range: years run from 1 to 9999",
                    problem("createdAt > '+10000-01-01T00:00:00Z'"));
        }

        @Test
        void positionsCountCharactersNotUtf16Units() {
            assertEquals(
                    "at position 14: unexpected 'foo' after a complete filter", problem("tags.x = '\uD83D\uDE00' foo"));
        }

        @Test
        void refusesFiltersOverTenThousandCharacters() {
            String filter = "name = '" + "a".repeat(RunFilter.MAX_LENGTH - 9) + "'";
            assertEquals(RunFilter.MAX_LENGTH, filter.length());
            assertEquals(
                    List.of("a".repeat(RunFilter.MAX_LENGTH - 9)), sql(filter).parameters());
            assertEquals("is 10001 characters long; at most 10000 are allowed", problem(filter + " "));
        }

        @Test
        void refusesNestingDeeperThanFiftyLevels() {
            assertEquals(
                    List.of("a"),
                    sql("(".repeat(50) + "name = 'a'" + ")".repeat(50)).parameters());
            assertEquals(
                    "at position 51: parentheses and 'not' nest deeper than 50 levels",
                    problem("(".repeat(51) + "name = 'a'" + ")".repeat(51)));
            assertEquals(
                    List.of("a"),
                    sql("not (".repeat(25) + "name = 'a'" + ")".repeat(25)).parameters());
            assertEquals(
                    "at position 126: parentheses and 'not' nest deeper than 50 levels",
                    problem("not (".repeat(25) + "not name = 'a'" + ")".repeat(25)));
        }
    }

    @Nested
    class Security {

        private static final String[] PREFIXES = "||not|(|not (|((".split("\\|", -1);
        private static final String[] CONNECTORS = "and|or|and not|or (|) and|) or|AND|Or".split("\\|");
        private static final String[] SOUP_FIELDS = ("metrics.acc|params.lr|tags.`a'b`|params.\"x;y\"|status"
                        + "|attributes.kind|id|createdAt|experiment|recipe|metrics.`--`")
                .split("\\|");
        private static final String[] SOUP_OPERATORS = "=|!=|<>|<|<=|>|>=|like|ilike|in|not in|is|is not".split("\\|");
        private static final String[] SOUP_VALUES = ("'finished'|'x''; --'|\"2026-01-02\"|0.5|-1e3|null|'%'"
                        + "|'0b5c1e58-3a2d-4f0e-9a4b-1d2c3e4f5a6b'|(1, 2)|('a', 'b')|('failed')|'trained'|(')')")
                .split("\\|");
        private static final String[] JUNK = "(|)|,|;|--|'|`|\"|and|or|not|/*|$$".split("\\|");

        @Test
        void bindsKeysAndValuesNeverInlinesThem() {
            SqlFragment one = sql("params.lr = '0.01' and tags.`team` in ('a', 'b') and name like 'x%'");
            SqlFragment other = sql("params.`'; DROP TABLE runs; --` = 'a''); DELETE FROM runs; --'"
                    + " and tags.\"t\"\"\" in ('\\', '$$') and name like '%''--'");
            assertEquals(one.sql(), other.sql());
            assertEquals(
                    List.of("'; DROP TABLE runs; --", "a'); DELETE FROM runs; --", "t\"", "\\", "$$", "%'--"),
                    other.parameters());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "params.x = 'a''; DROP TABLE runs; --'",
                    "params.x = 'a'; DROP TABLE runs; --",
                    "params.`x'; DROP TABLE runs; --` = 'y'",
                    "params.`x\"); --` is null",
                    "tags.\"a`b;c--d/*e*/\" != 'f'",
                    "name = $$x$$",
                    "name = 'a' /* comment */",
                    "name = 'a' -- comment",
                    "name = 'a' ; select pg_sleep(10)",
                    "name = E'\\x27'",
                    "name = U&'\\0027'",
                    "metrics.acc > 1 union select 1",
                    "metrics.acc > 1::text",
                    "r.id = r.id",
                    "status = 'FINISHED' or 1 = 1",
                    "status = 'FINISHED' or true",
                    "params.\u202Ex\u202C = '\u00DF\u0301\uD83D\uDE00'",
                    "tags.`\u0000` = 'x'",
                    "name = 'x\u0000'",
                    "name\u00A0= 'x'",
                    "name = \uFF07x\uFF07",
                    "params.\u0131 = 'i'",
                    "metrics.`ms.latest_value) OR (1` > 1",
                    "metrics.acc > 1e308 and metrics.acc < -1e308",
                    "(((((",
                    ")))))",
                    "not not not not",
                    "'",
                    "`",
                    "\"",
                    "params.",
                    "params.` `",
                })
        void hostileInputYieldsFixedSqlOrInvalidRequest(String filter) {
            assertSafe(filter);
        }

        @Test
        void deepNestingIsRefusedWithoutOverflowingTheStack() {
            assertSafe("(".repeat(10_000) + "name = 'a'" + ")".repeat(10_000));
            assertSafe("(".repeat(4_000) + "name = 'a'" + ")".repeat(4_000));
            assertSafe("(".repeat(9_999));
            assertSafe("not ".repeat(2_400) + "name = 'a'");
            assertSafe("not (".repeat(1_900) + "name = 'a'");
            assertSafe("name in (" + "'x', ".repeat(1_900) + "'y')");
            assertTrue(problem("(".repeat(4_000) + "name = 'a'" + ")".repeat(4_000))
                    .contains("deeper than 50"));
            assertTrue(problem("not ".repeat(2_400) + "name = 'a'").contains("deeper than 50"));
        }

        @Test
        void randomCharacterSoupYieldsFixedSqlOrInvalidRequest() {
            Random random = new Random(20260102);
            String alphabet = "abcmetrics.paramstagsstatusnameANDORNOTinislikenull =!<>()'\"`,;-+*/\\%_:0123456789eE"
                    + " \t\n\u0000\u00A0\u00DF\u202E\uD83D\uDE00\uFF07";
            for (int i = 0; i < 20_000; i++) {
                StringBuilder filter = new StringBuilder();
                int length = random.nextInt(40);
                for (int j = 0; j < length; j++) {
                    filter.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                assertSafe(filter.toString());
            }
        }

        @Test
        void randomComparisonSoupYieldsFixedSqlOrInvalidRequest() {
            Random random = new Random(42);
            int parsed = 0;
            for (int i = 0; i < 50_000; i++) {
                List<String> filter = new ArrayList<>();
                int clauses = 1 + random.nextInt(4);
                for (int j = 0; j < clauses; j++) {
                    filter.add(j == 0 ? pick(random, PREFIXES) : pick(random, CONNECTORS));
                    filter.add(pick(random, SOUP_FIELDS) + " " + pick(random, SOUP_OPERATORS));
                    filter.add(pick(random, SOUP_VALUES));
                }
                if (random.nextInt(4) == 0) {
                    filter.add(random.nextInt(filter.size()), pick(random, JUNK));
                }
                parsed += assertSafe(String.join(" ", filter)) ? 1 : 0;
            }
            assertTrue(parsed > 500, "the soup should parse now and then, parsed " + parsed);
        }

        private static String pick(Random random, String[] choices) {
            return choices[random.nextInt(choices.length)];
        }

        /** Parses and renders {@code filter}: true when it yields fixed-vocabulary SQL, false on InvalidRequest. */
        private boolean assertSafe(String filter) {
            SqlFragment fragment;
            try {
                fragment = RunFilter.parse(filter).toSql();
            } catch (InvalidRequest expected) {
                assertEquals("filter", expected.details().get(0).field());
                return false;
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("unexpected " + e + " for filter: " + filter, e);
            }
            try {
                assertFixedVocabulary(fragment);
            } catch (AssertionError e) {
                fail("filter " + filter + ": " + e.getMessage());
            }
            return true;
        }
    }
}
