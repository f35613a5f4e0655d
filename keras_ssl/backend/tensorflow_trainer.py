"""The SSL train and test steps for TensorFlow: GradientTape in tf.function.

Under a `tf.distribute` strategy Keras runs `train_step` once per replica on
that replica's rows of the global batch. The losses use the collectives, so
every replica computes the loss of the global batch; each differentiates
`loss / num_replicas` and Keras's TensorFlow optimizer sums the gradients
over replicas (an all-reduce SUM in `optimizer.apply`), which gives the
one-device gradient of the global loss. Keras's own losses use the same
1 / num_replicas scaling (`scale_loss_for_distribution`).
"""

import functools

import tensorflow as tf

from keras_ssl.backend.collectives import num_replicas


def _for_keras_reduction(logs):
    """Logs shaped for Keras's reduction of the step outputs over replicas.

    Every replica logs the global batch's values. Under a multi-worker
    strategy Keras reduces each output with `strategy.reduce("MEAN", v,
    axis=0)`, which fails on scalars (tensorflow/tensorflow#72388); a (1,)
    shape reduces to the same scalar.
    """
    strategy = tf.distribute.get_strategy()
    multi_worker = isinstance(
        strategy, tf.distribute.MultiWorkerMirroredStrategy
    ) and strategy.extended._in_multi_worker_mode()
    if not multi_worker:
        return logs
    return {name: tf.reshape(value, (1,)) for name, value in logs.items()}


def _supports_jit(layer):
    return all(
        getattr(sublayer, "supports_jit", True)
        for sublayer in layer._flatten_layers(include_self=True)
    )


class TensorFlowSSLTrainer:
    """Mixin giving `SSLModel` its TensorFlow `train_step` and `test_step`."""

    def augment_in_step(self, images):
        """The augmenter's views of `images`, inside the train/test step.

        On CPU Keras runs the TensorFlow step without XLA (oneDNN's
        convolutions are faster), which leaves an augmenter as dozens of
        small element-wise kernels. Compiled alone as one XLA cluster it
        makes views 4-7x faster (SimCLR's, 256 images: 69 -> 11 ms). Not
        done when the augmenter has a layer with `supports_jit = False`
        (Keras's own rule), when the model runs eagerly, nor on several
        replicas.
        """
        if self.run_eagerly or num_replicas() > 1 or not _supports_jit(
            self.augmenter
        ):
            return self.augmenter(images, training=True)
        # Kept outside Keras's attribute tracking (it is not state).
        compiled = self.__dict__.get("_xla_augmenter")
        if compiled is None:
            compiled = tf.function(
                functools.partial(self.augmenter, training=True),
                jit_compile=True,
                autograph=False,
            )
            self.__dict__["_xla_augmenter"] = compiled
        return compiled(images)

    def train_step(self, data):
        with tf.GradientTape() as tape:
            total, logs, batch_size = self.ssl_forward(data, training=True)
            scaled = self.optimizer.scale_loss(total)
            replicas = num_replicas()
            if replicas > 1:
                scaled = scaled / replicas
        variables = self.trainable_variables
        # Heads unused by this batch (the probe without labels) get a zero
        # gradient, as on JAX (UnconnectedGradients.ZERO fails on Keras
        # variables, whose dtype is a string).
        grads = tape.gradient(scaled, variables)
        grads = [
            tf.zeros_like(v.value) if g is None else g
            for v, g in zip(variables, grads)
        ]
        momentum = self.current_momentum()
        self.optimizer.apply(grads, variables)
        self.update_momentum_targets(momentum)
        return _for_keras_reduction(self.update_ssl_metrics(logs, batch_size))

    def test_step(self, data):
        _, logs, batch_size = self.ssl_forward(data, training=False)
        return _for_keras_reduction(self.update_ssl_metrics(logs, batch_size))

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Under a strategy Keras builds from the first batch averaged over
        # replicas (`strategy.reduce`), which fails for nested batches (views,
        # labels) under MultiWorkerMirroredStrategy. One replica's rows have
        # the shapes the build needs, without any communication.
        strategy = self._distribute_strategy
        if strategy is not None and iterator is not None and data_batch is None:
            for _, _, batches in iterator:
                data_batch = tf.nest.map_structure(
                    lambda x: strategy.experimental_local_results(x)[0],
                    next(batches),
                )
                break
            iterator = None
        return super()._maybe_symbolic_build(
            iterator=iterator, data_batch=data_batch
        )
