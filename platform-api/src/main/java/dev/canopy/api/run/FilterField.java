package dev.canopy.api.run;

/** What a comparison in a filter is about: a keyed value of the run (metric, param, tag) or one of its attributes. */
sealed interface FilterField permits FilterField.Keyed, RunAttribute {

    /** The run's metric, param or tag named {@code key}. */
    record Keyed(KeyedTable table, String key) implements FilterField {}

    /** The tables of keyed run values: each holds at most one row per run and key. */
    enum KeyedTable {
        METRICS("metrics.", "metric_series", "ms", "latest_value"),
        PARAMS("params.", "run_params", "p", "value"),
        TAGS("tags.", "run_tags", "t", "value");

        private final String prefix;
        private final String table;
        private final String alias;
        private final String valueColumn;

        KeyedTable(String prefix, String table, String alias, String valueColumn) {
            this.prefix = prefix;
            this.table = table;
            this.alias = alias;
            this.valueColumn = valueColumn;
        }

        /** How a filter names the table's values, dot included: {@code metrics.}. */
        String prefix() {
            return prefix;
        }

        String table() {
            return table;
        }

        /** The alias of the table in filter subqueries. */
        String alias() {
            return alias;
        }

        String valueColumn() {
            return valueColumn;
        }
    }
}
