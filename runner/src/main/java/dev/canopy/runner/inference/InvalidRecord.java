package dev.canopy.runner.inference;

/** A record that cannot be turned into model input, e.g. a non-number for a numeric feature. */
public class InvalidRecord extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    /**
     * @param field the feature (column) whose value is wrong
     * @param problem what is wrong, e.g. {@code must be a number, got 'abc'}
     */
    public InvalidRecord(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The feature (column) whose value is wrong. */
    public String field() {
        return field;
    }

    /** What is wrong with the value, without the field name. */
    public String problem() {
        return problem;
    }
}
