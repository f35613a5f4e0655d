"""The SSL train and test steps for PyTorch: autograd, updates in no_grad."""

import torch


class TorchSSLTrainer:
    """Mixin giving `SSLModel` its PyTorch `train_step` and `test_step`."""

    def train_step(self, data):
        total, logs, batch_size = self.ssl_forward(data, training=True)
        self.zero_grad()
        self.optimizer.scale_loss(total).backward()
        variables = self.trainable_variables
        # Heads unused by this batch (the probe without labels) get a zero
        # gradient, as on JAX.
        grads = [
            torch.zeros_like(v.value) if v.value.grad is None else v.value.grad
            for v in variables
        ]
        momentum = self.current_momentum()
        with torch.no_grad():
            self.optimizer.apply(grads, variables)
            self.update_momentum_targets(momentum)
        return self.update_ssl_metrics(logs, batch_size)

    def test_step(self, data):
        with torch.no_grad():
            _, logs, batch_size = self.ssl_forward(data, training=False)
            return self.update_ssl_metrics(logs, batch_size)
