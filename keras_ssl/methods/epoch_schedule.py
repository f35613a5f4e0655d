"""Schedules by epoch inside the train step: warm-ups and first-epoch freezing.

The train step cannot read Python epoch counters (the JAX step is compiled
once) nor the optimizer's step count (not part of the state mapped into the
JAX loss function). Methods that schedule by epoch therefore keep their own
step counter, `train_steps_done`, a non-trainable variable advanced in
`compute_ssl_loss` when training, and compare it with `steps_per_epoch`, the
model variable `SSLModel.fit` sets when the number of batches is known. Both
are saved with the model, so a reloaded model resumes its schedules.
"""

from keras import ops


def add_step_counter(model):
    """Creates `model.train_steps_done` (float32 scalar, starts at 0)."""
    model.train_steps_done = model.add_weight(
        shape=(), initializer="zeros", trainable=False, name="train_steps_done"
    )
    return model.train_steps_done


def count_train_step(model):
    """Advances `model.train_steps_done` by one (call once per train step)."""
    model.train_steps_done.assign_add(1.0)


def steps_in_epochs(model, epochs):
    """Number of steps in `epochs` epochs: 0 while the epoch length is unknown."""
    return epochs * ops.convert_to_tensor(model.steps_per_epoch)


def in_first_epochs(model, epochs):
    """Boolean scalar: True while fewer than `epochs` epochs are done."""
    done = ops.convert_to_tensor(model.train_steps_done)
    return done < steps_in_epochs(model, epochs)

