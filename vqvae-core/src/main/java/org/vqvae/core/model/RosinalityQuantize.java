package org.vqvae.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

import org.vqvae.core.quantize.Codebooks;

/**
 * rosinality's {@code Quantize} for inference: the codebook kept as the source keeps it, {@code embed
 * [D, K]}, with the EMA buffers {@code cluster_size [K]} and {@code embed_avg [D, K]} carried along
 * (not trained here) so an exported file holds everything the source's state_dict does.
 *
 * <p>Input {@code [N, D, H, W]}; output {@code [quantized [N, D, H, W], codes [N, H, W] int64,
 * commitment term (scalar)]}, the term being the source's {@code diff}: mean squared distance between
 * the input and its codes (van den Oord et al. 2017, eq. 3, third term before beta).
 */
public final class RosinalityQuantize extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final int numCodes;
    private final Parameter embed;
    private final Parameter clusterSize;
    private final Parameter embedAvg;

    /**
     * Creates the block.
     *
     * @param dim D
     * @param numCodes K
     */
    public RosinalityQuantize(int dim, int numCodes) {
        super(VERSION);
        this.dim = dim;
        this.numCodes = numCodes;
        embed = addParameter(buffer("embed", new Shape(dim, numCodes)));
        clusterSize = addParameter(buffer("cluster_size", new Shape(numCodes)));
        embedAvg = addParameter(buffer("embed_avg", new Shape(dim, numCodes)));
    }

    private static Parameter buffer(String name, Shape shape) {
        return Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optShape(shape)
                .optInitializer(new ConstantInitializer(0f)).optRequiresGrad(false).build();
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray z = inputs.singletonOrThrow();
        NDArray e = codebook(ps, z);
        Shape s = z.getShape();
        NDArray flat = z.transpose(0, 2, 3, 1).reshape(-1, dim);
        NDArray codes = Codebooks.nearestCodes(flat, e);
        NDArray quantized = Codebooks.lookup(codes, e).reshape(s.get(0), s.get(2), s.get(3), dim)
                .transpose(0, 3, 1, 2);
        NDArray diff = quantized.sub(z).square().mean();
        return new NDList(quantized, codes.reshape(s.get(0), s.get(2), s.get(3)), diff);
    }

    /**
     * Looks codes up: the source's {@code embed_code} followed by its permute.
     *
     * @param ps the parameter store
     * @param codes {@code [N, H, W]} integers in {@code [0, K)}
     * @return {@code [N, D, H, W]}
     */
    public NDArray lookup(ParameterStore ps, NDArray codes) {
        if (codes.getShape().dimension() != 3 || codes.getDataType().isFloating()) {
            throw new IllegalArgumentException("code map must be integer [N, H, W], got " + codes.getDataType() + " "
                    + codes.getShape());
        }
        if (codes.size() > 0) {
            long min = codes.min().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long max = codes.max().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            if (min < 0 || max >= numCodes) {
                throw new IllegalArgumentException("code " + (min < 0 ? min : max) + " is outside [0, " + numCodes
                        + ") for this model's codebook of " + numCodes + " codes");
            }
        }
        NDArray e = codebook(ps, codes);
        return Codebooks.lookup(codes, e).transpose(0, 3, 1, 2);
    }

    /** The codebook as rows {@code [K, D]}, owned by the input's manager (not the parameters'). */
    private NDArray codebook(ParameterStore ps, NDArray like) {
        NDArray e = ps.getValue(embed, like.getDevice(), false).transpose();
        e.attach(like.getManager());
        return e;
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in, new Shape(in.get(0), in.get(2), in.get(3)), new Shape()};
    }
}
