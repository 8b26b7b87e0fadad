package dev.canopy.runner.inference;

/**
 * A model answered NaN or infinity to a valid request whose values lie within reach of its training data: the
 * model is faulty (a broken artifact, a diverged training), not the caller.
 */
public final class NonFiniteAnswer extends RuntimeException {

    NonFiniteAnswer(String message) {
        super(message);
    }
}
