package dev.canopy.runner.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Checks a parameter file against the network its spec describes, before DJL reads it. DJL takes every size from the
 * file (the number of dimensions of an input's shape, each array's shape and byte length) and allocates it before
 * reading a byte of it: a file of 40 bytes could ask for gigabytes of heap or native memory, and the {@code
 * OutOfMemoryError} escaped every check. It also loads parameters of another network without complaint (each shape
 * taken from the file) and stops reading once the block has its parameters, then computes nonsense (ten answers for
 * one record).
 *
 * <p>So the file must be laid out exactly as the spec's network writes its parameters: its header is read here with
 * bounded sizes, and what follows must match, byte for byte, the network's own parameters as DJL writes them, except
 * for their values and the batch size the network was initialised with. Which bytes those are is found by writing
 * the network's parameters again, filled with a value that differs in every byte, and initialised for another batch
 * size: the bytes that stay the same are the layout (markers, names, data types, shapes, lengths). The network is
 * built only once its parameters are known to fit in the file.
 */
final class ParameterLayout {

    private static final int MAX_INPUTS = 16;
    private static final int MAX_DIMENSIONS = 16;
    private static final int MAX_PROPERTIES = 1024;
    private static final float FILL = Float.intBitsToFloat(0x11111111);
    private static final float OTHER_FILL = Float.intBitsToFloat(0x22222222);

    private ParameterLayout() {}

    /** Parameters whose layout is not that of the network the spec describes. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message);
        }
    }

    /**
     * @throws Mismatch when the parameters are not laid out as the spec's network's
     * @throws IOException when the header cannot be read (too short, or sizes past what a model has)
     */
    static void check(ModelSpec spec, byte[] file) throws IOException {
        int header = headerLength(file);
        long parameters = file.length - (long) header;
        if (valueBytes(spec) > parameters) {
            throw fewer(spec, parameters);
        }
        byte[] layout;
        BitSet free;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            SequentialBlock block = initialised(manager, spec, 1);
            fill(block, FILL);
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            block.saveParameters(new DataOutputStream(first));
            layout = first.toByteArray();
            if (parameters > layout.length) {
                throw new Mismatch("its parameter file holds " + (parameters - layout.length) + " bytes more than the"
                        + " parameters of the network spec.json describes " + network(spec)
                        + ": parameters of a larger network");
            }
            if (parameters < layout.length) {
                throw fewer(spec, parameters);
            }
            // The bytes a file may hold as it likes, found by writing again and marking where the writing differs
            // (compared as it is written rather than kept: a large model's parameters once more): the values, with
            // another fill; and the input shape DJL keeps with the parameters, the batch size the network was
            // initialised with (1 here, any in an archive built elsewhere; DJL sizes nothing by it), for a batch of 2.
            free = new BitSet(layout.length);
            fill(block, OTHER_FILL);
            block.saveParameters(new DataOutputStream(new Differences(layout, free, 0)));
            SequentialBlock batchOfTwo = initialised(manager, spec, 2);
            fill(batchOfTwo, FILL);
            // A dimension is a long (big-endian): 1 and 2 differ in its last byte, and the whole long is free.
            batchOfTwo.saveParameters(new DataOutputStream(new Differences(layout, free, Long.BYTES - 1)));
        }
        for (int i = free.nextClearBit(0); i < layout.length; i = free.nextClearBit(i + 1)) {
            if (file[header + i] != layout[i]) {
                throw new Mismatch("its parameters are not shaped as those of the network spec.json describes "
                        + network(spec) + " (they differ at byte " + i + " of the parameters, where a shape or a"
                        + " size is written)");
            }
        }
    }

    /** The spec's network, initialised on {@code manager} for a batch of {@code batch} records. */
    private static SequentialBlock initialised(NDManager manager, ModelSpec spec, int batch) {
        SequentialBlock block = MlpBlock.build(spec);
        block.initialize(manager, DataType.FLOAT32, new Shape(batch, spec.inputSize()));
        return block;
    }

    /**
     * Marks where a writing of the parameters differs from {@code layout}, byte by byte, with the {@code before}
     * bytes ahead of each difference.
     */
    private static final class Differences extends OutputStream {
        private final byte[] layout;
        private final BitSet differing;
        private final int before;
        private int at;

        Differences(byte[] layout, BitSet differing, int before) {
            this.layout = layout;
            this.differing = differing;
            this.before = before;
        }

        @Override
        public void write(int b) {
            if (at < layout.length && layout[at] != (byte) b) {
                differing.set(Math.max(0, at - before), at + 1);
            }
            at++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int i = 0; i < length; i++) {
                write(bytes[offset + i]);
            }
        }
    }

    /** How the network a spec describes reads in messages. */
    static String network(ModelSpec spec) {
        return "(" + spec.inputSize() + " inputs, hiddenLayers " + spec.hiddenLayers() + ", dropout " + spec.dropout()
                + ", " + spec.outputSize() + " outputs)";
    }

    private static Mismatch fewer(ModelSpec spec, long parameters) {
        return new Mismatch("its parameter file holds " + parameters + " bytes of parameters, fewer than the network"
                + " spec.json describes " + network(spec) + " takes");
    }

    /** Bytes of the parameters' values alone (float32): weights (units × inputs) and biases, layer after layer. */
    private static long valueBytes(ModelSpec spec) {
        List<Integer> layers = new ArrayList<>(spec.hiddenLayers());
        layers.add(spec.outputSize());
        long inputs = spec.inputSize();
        long values = 0;
        for (int units : layers) {
            values += units * inputs + units;
            inputs = units;
        }
        return 4 * values;
    }

    /** Sets every value of the block's parameters to {@code fill}. */
    private static void fill(SequentialBlock block, float fill) {
        for (Parameter parameter : block.getParameters().values()) {
            NDArray array = parameter.getArray();
            // In place: refused on a parameter that takes gradients, on a thread that records them (a training's).
            array.setRequiresGradient(false);
            array.muli(0).addi(fill);
        }
    }

    /**
     * Length of the file's header as DJL reads it: {@code DJL@}, version, name, data type, inputs (name and shape)
     * and properties; each count held to what a model has, so that nothing large is allocated to read it.
     */
    private static int headerLength(byte[] file) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(file));
        in.readFully(new byte[4]);
        in.readInt();
        in.readUTF();
        in.readUTF();
        for (int inputs = bounded(in.readInt(), MAX_INPUTS, "inputs"); inputs > 0; inputs--) {
            in.readUTF();
            in.skipNBytes(8L * bounded(in.readInt(), MAX_DIMENSIONS, "dimensions of an input"));
            in.skipNBytes(2L * bounded(in.readInt(), MAX_DIMENSIONS, "layout of an input"));
        }
        for (int properties = bounded(in.readInt(), MAX_PROPERTIES, "properties"); properties > 0; properties--) {
            in.readUTF();
            in.readUTF();
        }
        return file.length - in.available();
    }

    private static int bounded(int count, int max, String what) throws IOException {
        if (count < 0 || count > max) {
            throw new IOException("its header names " + count + " " + what + ", which no model has");
        }
        return count;
    }
}
