package org.vqvae.core.io.torch;

import ai.djl.nn.Parameter;

import java.util.Map;

/**
 * A block whose parameters correspond one to one to the tensors of a PyTorch {@code state_dict}, with
 * the same names, shapes and layouts: what import fills and safetensors export writes.
 */
public interface TorchNamed {

    /**
     * Returns the state_dict name of every parameter, in the source's state_dict order.
     *
     * @return name to parameter (the block must be initialised)
     */
    Map<String, Parameter> torchParameters();
}
