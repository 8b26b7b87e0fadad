package dev.canopy.runner.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes three PyTorch threads the default, and the test thread's count, for each test, so that neither one thread
 * nor PyTorch's default on a small machine passes by chance; afterwards, the default from before.
 */
public final class ThreeTorchThreads implements BeforeEachCallback, AfterEachCallback {

    private int before;

    @Override
    public void beforeEach(ExtensionContext context) {
        Engine.getInstance(); // loads the natives JniUtils calls
        before = TorchThreads.defaultCount();
        TorchThreads.setDefault(3);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TorchThreads.setDefault(before);
    }

    /** The count a thread started now gets. */
    public static int ofNewThread() {
        return CompletableFuture.supplyAsync(JniUtils::getNumThreads, r -> new Thread(r).start())
                .join();
    }
}
