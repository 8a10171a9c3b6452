package org.vqvae.core.io.torch;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Razorvine's unpickler narrowed to what the pickle of a {@code state_dict} needs, so that a hostile
 * file can neither run code nor build objects: only the opcodes of protocols 2 to 5 that build plain
 * data, and only the globals {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter}, the storage classes of {@link TensorType} and {@code
 * argparse.Namespace} (the arguments rosinality's priors save beside their weights, read as a map);
 * any other global, opcode ({@code INST}, {@code OBJ}, extension codes...) or a {@code BUILD} on
 * anything but an OrderedDict or a Namespace is refused before it has any effect ({@code NEWOBJ}
 * and {@code REDUCE} can only call the functions bound to those globals). Python objects are never
 * created: the globals resolve to the Java constructors here, and the library's own table of
 * constructors is never consulted.
 *
 * <p>Persistent ids ({@code ('storage', type, key, location, numel)}) are handed to a {@link
 * Storages} that reads {@code data/<key>} from the archive.
 */
final class RestrictedUnpickler extends Unpickler {

    /** Reads the bytes of a storage named in a persistent id. */
    interface Storages {
        /**
         * Returns a storage's bytes.
         *
         * @param type element type
         * @param key the storage's key (its entry is {@code data/<key>})
         * @param numel elements the pickle says it has
         * @return exactly {@code numel * type.bytes()} bytes
         * @throws IOException if missing or of another size
         */
        byte[] read(TensorType type, String key, long numel) throws IOException;
    }

    /** The Python side of an OrderedDict; the {@code _metadata} a BUILD sets is dropped. */
    static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /** An {@code argparse.Namespace} (rosinality's priors save their arguments beside the weights): its attributes. */
    static final class Namespace extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;
    }

    /** A storage read through a persistent id: its type and bytes. */
    record Storage(TensorType type, byte[] bytes) {}

    /** A storage class named by a global, as the persistent id refers to it. */
    private record StorageClass(TensorType type) {}

    // opcodes (pickle.py's names)
    private static final short MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', NONE = 'N',
            BININT = 'J', BININT1 = 'K', BININT2 = 'M', BINFLOAT = 'G', BINUNICODE = 'X', SHORT_BINSTRING = 'U',
            BINSTRING = 'T', SHORT_BINBYTES = 'C', BINBYTES = 'B', EMPTY_TUPLE = ')', TUPLE = 't',
            EMPTY_LIST = ']', APPEND = 'a', APPENDS = 'e', LIST = 'l', EMPTY_DICT = '}', DICT = 'd', SETITEM = 's',
            SETITEMS = 'u', BINPUT = 'q', LONG_BINPUT = 'r', BINGET = 'h', LONG_BINGET = 'j', GLOBAL = 'c',
            REDUCE = 'R', BUILD = 'b', BINPERSID = 'Q', NEWOBJ = 0x81;
    private static final short PROTO = 0x80, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, TUPLE1 = 0x85,
            TUPLE2 = 0x86, TUPLE3 = 0x87, SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, EMPTY_SET = 0x8f,
            STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95;

    private static final Set<Short> PLAIN = Set.of(MARK, STOP, POP, POP_MARK, DUP, NONE, BININT, BININT1, BININT2,
            BINFLOAT, SHORT_BINSTRING, SHORT_BINBYTES, EMPTY_TUPLE, TUPLE, EMPTY_LIST, APPEND, APPENDS, LIST,
            EMPTY_DICT, DICT, SETITEM, SETITEMS, BINPUT, LONG_BINPUT, BINGET, LONG_BINGET, REDUCE, NEWOBJ, BINPERSID,
            PROTO, NEWTRUE, NEWFALSE, LONG1, TUPLE1, TUPLE2, TUPLE3, SHORT_BINUNICODE, EMPTY_SET, MEMOIZE);
    /** Opcodes followed by a 4-byte (or, for BINUNICODE8 and FRAME, 8-byte) length. */
    private static final Set<Short> SIZED = Set.of(BINUNICODE, BINSTRING, BINBYTES, BINUNICODE8, FRAME);

    private final ByteArrayInputStream in;
    private final Storages storages;
    private final Map<String, Object> globals = new LinkedHashMap<>();

    /**
     * Prepares to read one pickle.
     *
     * @param pickle the pickle's bytes
     * @param storages where persistent ids are resolved
     */
    RestrictedUnpickler(byte[] pickle, Storages storages) {
        this.in = new ByteArrayInputStream(pickle);
        this.storages = storages;
        globals.put("collections.OrderedDict", (IObjectConstructor) args -> {
            if (args.length != 0) {
                throw new PickleException("OrderedDict with arguments");
            }
            return new OrderedDict();
        });
        globals.put("argparse.Namespace", (IObjectConstructor) args -> {
            if (args.length != 0) {
                throw new PickleException("Namespace with arguments");
            }
            return new Namespace();
        });
        globals.put("torch._utils._rebuild_tensor_v2", (IObjectConstructor) RestrictedUnpickler::rebuildTensor);
        globals.put("torch._utils._rebuild_parameter", (IObjectConstructor) args -> {
            if (args.length < 1 || !(args[0] instanceof TensorData)) {
                throw new PickleException("_rebuild_parameter without a tensor");
            }
            return args[0];
        });
        for (TensorType t : TensorType.values()) {
            globals.put("torch." + t.storageName(), new StorageClass(t));
        }
    }

    /**
     * Reads the pickle.
     *
     * @return the top object
     * @throws WeightFormatException if anything is refused or malformed
     */
    Object read() throws WeightFormatException {
        try {
            return load(in);
        } catch (WeightFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            Throwable t = e;
            while (t.getCause() != null && t.getMessage() == null) {
                t = t.getCause();
            }
            if (t instanceof RefusedException r) {
                throw new WeightFormatException(r.getMessage(), e);
            }
            throw new WeightFormatException("malformed pickle in the checkpoint (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    /** A refusal raised inside the dispatch loop, where only unchecked exceptions pass. */
    private static final class RefusedException extends PickleException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        if (key == GLOBAL) {
            String module = PickleUtils.readline(input);
            String name = PickleUtils.readline(input);
            stack.add(global(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == STACK_GLOBAL) {
            Object name = stack.pop();
            Object module = stack.pop();
            if (!(module instanceof String m) || !(name instanceof String n)) {
                throw new RefusedException("malformed pickle: STACK_GLOBAL without a module and name");
            }
            stack.add(global(m, n));
            return NO_RETURN_VALUE;
        }
        if (key == BUILD) {
            Object state = stack.pop();
            Object target = stack.peek();
            if (target instanceof Namespace ns && state instanceof Map<?, ?> attributes) {
                attributes.forEach((k, v) -> ns.put(String.valueOf(k), v));
            } else if (!(target instanceof OrderedDict)) { // an OrderedDict's state is its _metadata: not needed
                throw new RefusedException("refused: the pickle sets the state of a "
                        + describe(target) + ", which a state_dict does not do");
            }
            return NO_RETURN_VALUE;
        }
        if (key == SETITEMS || key == SETITEM) {
            setItems(key == SETITEM);
            return NO_RETURN_VALUE;
        }
        if (SIZED.contains(key)) {
            checkLength(key == BINUNICODE8 || key == FRAME ? 8 : 4);
            return super.dispatch(key);
        }
        if (PLAIN.contains(key)) {
            return super.dispatch(key);
        }
        throw new RefusedException("refused: the pickle uses opcode 0x" + Integer.toHexString(key)
                + ", which a state_dict does not need");
    }

    /** Puts key-value pairs into the dictionary below them in the pickle's order (the library's SETITEMS does not keep it). */
    @SuppressWarnings("unchecked")
    private void setItems(boolean one) {
        List<Object> items;
        if (one) {
            Object value = stack.pop();
            Object key = stack.pop();
            items = List.of(key, value);
        } else {
            items = stack.pop_all_since_marker();
        }
        if (items.size() % 2 != 0 || !(stack.peek() instanceof Map<?, ?>)) {
            throw new RefusedException("malformed pickle: SETITEMS without a dictionary and pairs");
        }
        Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    /** Refuses a length prefix longer than what is left, before the library allocates it. */
    private void checkLength(int width) {
        in.mark(width);
        byte[] b = new byte[width];
        int got = in.readNBytes(b, 0, width);
        in.reset();
        if (got < width) {
            throw new RefusedException("truncated pickle");
        }
        long n = 0;
        for (int i = width - 1; i >= 0; i--) {
            n = (n << 8) | (b[i] & 0xff);
        }
        if (n < 0 || n > in.available() - width) {
            throw new RefusedException("malformed pickle: a length of " + n + " bytes runs past its end");
        }
    }

    private Object global(String module, String name) {
        Object g = globals.get(module + "." + name);
        if (g == null) {
            throw new RefusedException("refused: the pickle references " + module + "." + name
                    + ", which a state_dict does not need (nothing was run)");
        }
        return g;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] id) || id.length != 5 || !"storage".equals(id[0])
                || !(id[1] instanceof StorageClass type) || !(id[2] instanceof String key)
                || !(id[4] instanceof Number numel)) {
            throw new RefusedException("refused: a persistent id other than a storage (" + describe(pid) + ")");
        }
        try {
            return new Storage(type.type(), storages.read(type.type(), key, numel.longValue()));
        } catch (IOException e) {
            throw new RefusedException(e.getMessage());
        }
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 6 || !(args[0] instanceof Storage storage) || !(args[1] instanceof Number offset)
                || !(args[2] instanceof Object[] size) || !(args[3] instanceof Object[] stride)
                || size.length != stride.length) {
            throw new RefusedException("malformed pickle: _rebuild_tensor_v2 with unexpected arguments");
        }
        long[] shape = longs(size);
        long[] strides = longs(stride);
        return gather(storage, offset.longValue(), shape, strides);
    }

    private static long[] longs(Object[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] instanceof Number n) || n.longValue() < 0) {
                throw new RefusedException("malformed pickle: tensor size or stride " + values[i]);
            }
            out[i] = n.longValue();
        }
        return out;
    }

    /** Copies a strided view of a storage into a contiguous tensor, checking every index stays inside. */
    static TensorData gather(Storage storage, long offset, long[] shape, long[] strides) {
        int e = storage.type().bytes();
        long available = storage.bytes().length / e;
        long n;
        try {
            n = TensorData.numel(shape);
        } catch (IllegalArgumentException | ArithmeticException ex) {
            throw new RefusedException("malformed pickle: tensor size " + java.util.Arrays.toString(shape));
        }
        if (n > 0) {
            long last = offset;
            for (int d = 0; d < shape.length; d++) {
                last += (shape[d] - 1) * strides[d];
            }
            if (offset < 0 || last >= available || n * e > Integer.MAX_VALUE - 8) {
                throw new RefusedException("malformed checkpoint: a tensor of size " + java.util.Arrays.toString(shape)
                        + " reaches past its storage of " + available + " elements");
            }
        }
        byte[] out = new byte[(int) (n * e)];
        boolean contiguous = true;
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expect) {
                contiguous = false;
            }
            expect *= shape[d];
        }
        if (contiguous) {
            System.arraycopy(storage.bytes(), (int) (offset * e), out, 0, out.length);
        } else {
            long[] index = new long[shape.length];
            for (long i = 0; i < n; i++) {
                long src = offset;
                for (int d = 0; d < shape.length; d++) {
                    src += index[d] * strides[d];
                }
                System.arraycopy(storage.bytes(), (int) (src * e), out, (int) (i * e), e);
                for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                    index[d] = 0;
                }
            }
        }
        return new TensorData(storage.type(), shape, out);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] a) {
            return "tuple of " + a.length;
        }
        if (o instanceof List<?>) {
            return "list";
        }
        return o.getClass().getSimpleName();
    }
}
