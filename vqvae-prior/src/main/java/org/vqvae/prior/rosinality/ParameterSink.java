package org.vqvae.prior.rosinality;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** Where the modules of {@link RosinalityPixelSnail} register their parameters, under state_dict keys. */
@FunctionalInterface
interface ParameterSink {

    /**
     * Registers a parameter.
     *
     * @param key its key in rosinality's state_dict
     * @param shape its shape
     * @return the parameter
     */
    Parameter add(String key, Shape shape);
}
