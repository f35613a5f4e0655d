"""The SSL train and test steps for PyTorch: autograd, updates in no_grad.

Distributed training runs one process per replica (`torchrun`, then
`torch.distributed.init_process_group`), each feeding its rows of the global
batch. Keras calls `train_step`, not the model's `forward`, so
`DistributedDataParallel` (whose reducer is armed by its own forward) is not
used; the step does what it would: replica 0's variables are broadcast
before the first step, and the gradients are summed over replicas in one
flat all-reduce after `backward()`. Each replica differentiates
`loss / num_replicas` of the global loss (see `keras_ssl.backend`), so the
summed gradient is the one-device gradient. Unlike DDP, the all-reduce does
not overlap the backward pass, and no buffer is broadcast at each step:
state updated from gathered values (queues, centres, synchronized BatchNorm
statistics, EMA targets) is already identical on every replica.

The first step routes the model's Conv2D and BatchNormalization layers to
the kernels of `torch_kernels` (no layout copies, fused BatchNorm).
"""

import torch

from keras_ssl.backend import torch_collectives
from keras_ssl.backend import torch_kernels
from keras_ssl.backend.collectives import num_replicas


class TorchSSLTrainer:
    """Mixin giving `SSLModel` its PyTorch `train_step` and `test_step`."""

    def augment_in_step(self, images):
        """The augmenter's views of `images`, inside the train/test step."""
        return self.augmenter(images, training=True)

    def route_torch_kernels(self):
        """Routes Conv2D / BatchNorm to `torch_kernels`, once per model."""
        if not getattr(self, "_torch_kernels_routed", False):
            torch_kernels.route_layers(self)
            self._torch_kernels_routed = True

    def train_step(self, data):
        self.route_torch_kernels()
        replicas = num_replicas()
        if replicas > 1 and not getattr(self, "_replicas_in_sync", False):
            torch_collectives.broadcast_from_first_replica(
                [v.value for v in self.variables]
            )
            self._replicas_in_sync = True
        total, logs, batch_size = self.ssl_forward(data, training=True)
        self.zero_grad()
        scaled = self.optimizer.scale_loss(total)
        if replicas > 1:
            scaled = scaled / replicas
        scaled.backward()
        variables = self.trainable_variables
        # Heads unused by this batch (the probe without labels) get a zero
        # gradient, as on JAX.
        grads = [
            torch.zeros_like(v.value) if v.value.grad is None else v.value.grad
            for v in variables
        ]
        if replicas > 1:
            grads = torch_collectives.sum_gradients(grads)
        momentum = self.current_momentum()
        with torch.no_grad():
            self.optimizer.apply(grads, variables)
            self.update_momentum_targets(momentum)
        return self.update_ssl_metrics(logs, batch_size)

    def test_step(self, data):
        self.route_torch_kernels()
        with torch.no_grad():
            _, logs, batch_size = self.ssl_forward(data, training=False)
            return self.update_ssl_metrics(logs, batch_size)
