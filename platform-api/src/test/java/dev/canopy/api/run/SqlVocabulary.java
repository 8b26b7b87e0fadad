package dev.canopy.api.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Test helper: asserts that generated SQL is made of the generators' fixed vocabulary only. */
final class SqlVocabulary {

    private static final Pattern CHARACTERS = Pattern.compile("[A-Za-z0-9_.?(),=<>~ ]*");
    private static final Pattern SEPARATORS = Pattern.compile("[ (),]+");
    private static final String KEYWORDS =
            "TRUE FALSE COALESCE EXISTS NOT SELECT 1 FROM WHERE AND OR IN IS NULL NULLIF LIKE ILIKE CASE WHEN"
                    + " THEN CAST AS double precision END LEFT JOIN ON ASC DESC NULLS LAST ? = <> < <= > >= ~";
    private static final String NAMES = "metric_series run_params run_tags ms p t ms.run_id ms.key ms.latest_value"
            + " p.run_id p.key p.value t.run_id t.key t.value r.id r.status r.kind r.name r.recipe r.created_at"
            + " r.started_at r.ended_at e.name";
    private static final Set<String> WORDS = words();

    private SqlVocabulary() {}

    /**
     * Asserts that {@code fragment}'s SQL holds only the fixed words above, the constant {@link
     * FilterSql#NUMERIC_VALUE} regex and {@link FilterSql#NAN}, spaces, parentheses and commas, and as many {@code ?} as parameters.
     */
    static void assertFixedVocabulary(SqlFragment fragment) {
        String sql = fragment.sql().replace(FilterSql.NUMERIC_VALUE, " ").replace(FilterSql.NAN, " ");
        assertTrue(CHARACTERS.matcher(sql).matches(), () -> "unexpected characters in SQL: " + fragment.sql());
        for (String word : SEPARATORS.split(sql)) {
            assertTrue(word.isEmpty() || WORDS.contains(word), () -> "unexpected '" + word + "' in " + fragment.sql());
        }
        long placeholders = sql.chars().filter(c -> c == '?').count();
        assertEquals(fragment.parameters().size(), placeholders, () -> "placeholders in " + fragment.sql());
    }

    private static Set<String> words() {
        Set<String> words = new HashSet<>(List.of((KEYWORDS + " " + NAMES).split(" ")));
        for (int i = 0; i < RunOrder.MAX_ENTRIES; i++) {
            for (String column : List.of("", ".run_id", ".key", ".value", ".latest_value")) {
                words.add("o" + i + column);
            }
        }
        return Set.copyOf(words);
    }
}
