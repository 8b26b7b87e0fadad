package dev.canopy.runner.worker;

import java.util.logging.LogManager;

/**
 * Logging of the runner process ({@code java.util.logging}, which DJL's SLF4J logs reach too): one line per record,
 * and records logged while the process stops (a drain after SIGTERM: the run stopping, the runner ending) still
 * written. The JDK's own shutdown hook resets the log manager, closing its handlers, at the same time as the drain
 * runs; {@link Manager} ignores that reset. Settings given on the command line are kept.
 */
final class RunnerLogging {

    static final String ONE_LINE = "%1$tF %1$tT,%1$tL %4$-7s [%3$s] %5$s%6$s%n";

    private RunnerLogging() {}

    /** Called first thing in {@code main}, before any logger exists. */
    static void configure() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", Manager.class.getName());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", ONE_LINE);
        }
    }

    /** A log manager that its JDK shutdown hook cannot reset. */
    public static final class Manager extends LogManager {

        /** Public, as {@code LogManager} instantiates it by name. */
        public Manager() {}

        @Override
        public void reset() {
            // The JDK's cleaner (a shutdown hook, LogManager$Cleaner) would close the handlers while a drain is
            // still logging; the process ends moments later and the console needs no closing.
            if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
                return;
            }
            super.reset();
        }
    }
}
