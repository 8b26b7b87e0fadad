package dev.canopy.api.dataset;

/**
 * A file is not a CSV file that {@link CsvProfiler} accepts. The message reads {@code "line N: problem"} so that it
 * can be shown to the person who uploaded the file as it is.
 */
final class CsvFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long line;
    private final String problem;

    /**
     * @param line the 1-based physical line of the file where the problem is; lines inside quoted fields count
     * @param problem what is wrong, in words for the uploader
     */
    CsvFormatException(long line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
        this.problem = problem;
    }

    /** The 1-based physical line of the file where the problem is. */
    long line() {
        return line;
    }

    /** What is wrong, without the line number. */
    String problem() {
        return problem;
    }
}
