package dev.canopy.api.team;

/**
 * Fired inside a transaction that revokes a token or changes a membership; {@link AccessCache} drops what it holds
 * once the transaction has committed, so this control plane's next request sees the change.
 */
record AccessChanged() {}
