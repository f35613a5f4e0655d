"""The SSL train and test steps for JAX: stateless and jit-compiled.

Keras's JAX `fit` keeps every variable outside the model and passes them in
as `state`. The backend-neutral hooks of `SSLModel` read and assign model
variables as usual; running them inside a `keras.StatelessScope` maps those
reads to the values in `state` and collects the assignments (BatchNorm
statistics, queues, seed generators, EMA targets), which go back into the
returned state.

The first trace routes the model's Conv2D layers to `jax_kernels` (on the
CPU, a kernel gradient that is one matmul instead of XLA's slow one).
"""

import jax
import keras

from keras_ssl.backend import jax_kernels


def _run_stateless(variables, values, fn, *args, **kwargs):
    """Runs `fn` with `variables` bound to `values`; returns (out, values)."""
    with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
        out = fn(*args, **kwargs)
    return out, [scope.get_current_value(v) for v in variables]


class JAXSSLTrainer:
    """Mixin giving `SSLModel` its JAX `train_step` and `test_step`."""

    def augment_in_step(self, images):
        """The augmenter's views of `images`, inside the train/test step."""
        return self.augmenter(images, training=True)

    def route_jax_kernels(self):
        """Routes Conv2D layers to `jax_kernels`, once per model."""
        if not getattr(self, "_jax_kernels_routed", False):
            jax_kernels.route_layers(self)
            self._jax_kernels_routed = True

    def _stateless_ssl_loss(
        self, trainable, non_trainable, optimizer_variables, data, training
    ):
        variables = self.trainable_variables + self.non_trainable_variables
        (total, logs, batch_size), values = _run_stateless(
            variables,
            list(trainable) + list(non_trainable),
            self.ssl_forward,
            data,
            training=training,
        )
        non_trainable = values[len(trainable) :]
        scaled = total
        if training:
            with keras.StatelessScope(
                state_mapping=list(
                    zip(self.optimizer.variables, optimizer_variables)
                )
            ):
                scaled = self.optimizer.scale_loss(total)
        return scaled, (logs, batch_size, non_trainable)

    def _stateless_metrics(self, metrics_variables, logs, batch_size):
        return _run_stateless(
            self.metrics_variables,
            metrics_variables,
            self.update_ssl_metrics,
            logs,
            batch_size,
        )

    def _stateless_momentum_update(
        self, trainable, non_trainable, optimizer_variables
    ):
        # The momentum is read at the step count before this update, as on
        # the other backends; targets move towards the updated weights.
        variables = (
            self.trainable_variables
            + self.non_trainable_variables
            + self.optimizer.variables
        )
        values = list(trainable) + list(non_trainable) + list(optimizer_variables)

        def update():
            self.update_momentum_targets(self.current_momentum())

        _, values = _run_stateless(variables, values, update)
        start = len(trainable)
        return values[start : start + len(non_trainable)]

    def train_step(self, state, data):
        self.route_jax_kernels()
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        grad_fn = jax.value_and_grad(self._stateless_ssl_loss, has_aux=True)
        (_, (logs, batch_size, non_trainable)), grads = grad_fn(
            trainable, non_trainable, optimizer_variables, data, True
        )
        new_trainable, new_optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable
        )
        if self.momentum_variable_pairs:
            non_trainable = self._stateless_momentum_update(
                new_trainable, non_trainable, optimizer_variables
            )
        results, metrics_variables = self._stateless_metrics(
            metrics_variables, logs, batch_size
        )
        state = (
            new_trainable,
            non_trainable,
            new_optimizer_variables,
            metrics_variables,
        )
        return results, state

    def test_step(self, state, data):
        self.route_jax_kernels()
        trainable, non_trainable, metrics_variables = state
        _, (logs, batch_size, non_trainable) = self._stateless_ssl_loss(
            trainable, non_trainable, None, data, False
        )
        results, metrics_variables = self._stateless_metrics(
            metrics_variables, logs, batch_size
        )
        return results, (trainable, non_trainable, metrics_variables)
