package dev.canopy.runner.inference;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/** Feeds an encoded feature matrix to the model and reads back its raw outputs, row-major. */
final class FeatureMatrixTranslator implements NoBatchifyTranslator<FeatureMatrixTranslator.Matrix, float[]> {

    /** {@code rows × columns} encoded inputs, row-major. */
    record Matrix(float[] values, int rows, int columns) {}

    @Override
    public NDList processInput(TranslatorContext ctx, Matrix input) {
        // The context's manager is closed after each predict call, which frees the input and output arrays.
        return new NDList(ctx.getNDManager().create(input.values(), new Shape(input.rows(), input.columns())));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        return list.singletonOrThrow().toFloatArray();
    }
}
