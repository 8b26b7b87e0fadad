package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.runner.inference.FeatureMatrixTranslator.Matrix;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PredictorPoolTest {

    @Test
    void countsWarmUpAndForwardPassesAndClosesTheModelOnceAfterThePredictors() throws Exception {
        AtomicInteger modelClosed = new AtomicInteger();
        try (TabularModel model = TabularModel.load(PenguinModels.classifier())) {
            Matrix oneRow = new Matrix(model.encode(List.of(PenguinModels.adelie())), 1, model.width());
            PredictorPool pool = new PredictorPool(2, model::newPredictor, modelClosed::incrementAndGet);
            pool.warmUp(oneRow);

            assertThat(pool.forward(oneRow)).hasSize(3);
            assertThat(pool.passes()).isEqualTo(3);

            pool.close();
            pool.close();

            assertThat(modelClosed).hasValue(1);
            assertThatThrownBy(() -> pool.forward(oneRow))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the model is closed");
        }
    }
}
