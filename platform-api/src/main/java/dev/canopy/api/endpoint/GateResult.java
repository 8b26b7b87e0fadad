package dev.canopy.api.endpoint;

/**
 * A gate's outcome as stored and returned: the gate, whether it passed, the candidate's value and, for
 * beats-live, the live version's, and why in words.
 */
record GateResult(String gate, boolean passed, Double candidate, Double live, String detail) {}
