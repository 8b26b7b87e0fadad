package dev.canopy.runner.worker;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A few tensor operations on the CPU and on each GPU of a runner's set, before the runner registers. DJL's JNI bridge
 * is built for one libtorch (2.7.1 for DJL 0.36); pointed at another with {@code PYTORCH_LIBRARY_PATH}, it can load,
 * see the GPUs and still fail at the first tensor it creates. Without this check such a runner would take runs and
 * fail every one of them; with it, the runner does not start and says why.
 */
final class EngineSelfTest {

    private static final float[] INPUT = {1, 2, 3};
    private static final float[] EXPECTED = {3, 5, 7};

    private EngineSelfTest() {}

    /**
     * Runs {@code 2x + 1} on the CPU and on each of {@code gpuSet}.
     *
     * @throws EngineUnusable naming the device, the natives and what failed
     */
    static void run(List<Integer> gpuSet) {
        List<Device> devices = new ArrayList<>();
        devices.add(Device.cpu());
        gpuSet.forEach(id -> devices.add(Device.gpu(id)));
        for (Device device : devices) {
            try (NDManager manager = NDManager.newBaseManager(device)) {
                NDArray x = manager.create(INPUT);
                float[] result = x.mul(2).add(1).toFloatArray();
                if (!Arrays.equals(result, EXPECTED)) {
                    throw new EngineUnusable(
                            device, "2x + 1 of " + Arrays.toString(INPUT) + " gave " + Arrays.toString(result));
                }
            } catch (EngineUnusable e) {
                throw e;
            } catch (RuntimeException | LinkageError e) {
                throw new EngineUnusable(device, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
            }
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse("");
    }

    /** The engine cannot compute on a device of this runner; the message says what to check. */
    static final class EngineUnusable extends IllegalStateException {

        EngineUnusable(Device device, String failure) {
            super("PyTorch cannot compute on " + device + " (" + failure + "). Natives: " + natives()
                    + "; DJL's JNI bridge on the classpath is " + bridge() + ", and PYTORCH_LIBRARY_PATH must name"
                    + " a libtorch of that PyTorch version (see the README's GPU section)");
        }

        /** The pytorch-jni jar's {@code jni_version}: PyTorch version, then DJL version. */
        private static String bridge() {
            try (InputStream in = EngineSelfTest.class.getResourceAsStream("/jnilib/pytorch.properties")) {
                Properties properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return "for PyTorch-DJL " + properties.getProperty("jni_version", "(unknown)");
            } catch (IOException e) {
                return "of an unknown version";
            }
        }

        private static String natives() {
            try {
                // DJL takes the version from PYTORCH_VERSION (or its jar), not from the library it loaded.
                return "libtorch in " + LibUtils.getLibtorchPath() + ", taken to be PyTorch "
                        + Engine.getInstance().getVersion();
            } catch (RuntimeException | LinkageError e) {
                return "not loaded (" + firstLine(e.getMessage()) + ")";
            }
        }
    }
}
