"""The SSL train and test steps for TensorFlow: GradientTape in tf.function."""

import tensorflow as tf


def _check_single_replica():
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas > 1:
        raise ValueError(
            "keras_ssl does not yet train under a tf.distribute strategy "
            f"with several replicas (found {replicas}): contrastive negatives "
            "and batch statistics would cover only each replica's part of "
            "the batch. Train on one device, or on JAX with "
            "keras.distribution.DataParallel, where the batch is global."
        )


class TensorFlowSSLTrainer:
    """Mixin giving `SSLModel` its TensorFlow `train_step` and `test_step`."""

    def train_step(self, data):
        _check_single_replica()
        with tf.GradientTape() as tape:
            total, logs, batch_size = self.ssl_forward(data, training=True)
            scaled = self.optimizer.scale_loss(total)
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
        return self.update_ssl_metrics(logs, batch_size)

    def test_step(self, data):
        _check_single_replica()
        _, logs, batch_size = self.ssl_forward(data, training=False)
        return self.update_ssl_metrics(logs, batch_size)
