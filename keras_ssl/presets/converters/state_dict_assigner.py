"""StateDictAssigner: copies a state dict into Keras variables, checking all."""

import numpy as np

MAX_LISTED = 25


class StateDictAssigner:
    """Assigns checkpoint arrays to Keras variables and accounts for every key.

    Each `assign` takes one key, applies an optional layout transform
    (transpose, reshape) and checks the shape against the variable before
    writing it. `finish()` then raises one `ValueError` that lists every
    problem: keys the model needed but the checkpoint lacks, shapes that
    differ, and keys of the checkpoint that nothing used (unless they start
    with one of `ignore_prefixes`, the parts deliberately left out, such as
    a classifier head). A conversion therefore never half-loads a model.

    Args:
        state_dict: dict. `{name: numpy array}`.
        ignore_prefixes: tuple of str. Keys known to be unused.
        source: str. Name of the checkpoint, for the error message.

    Example:

    ```python
    assigner = StateDictAssigner(state_dict, ignore_prefixes=("fc.",))
    assigner.assign(conv.kernel, "conv1.weight", lambda w: w.transpose(2, 3, 1, 0))
    assigner.finish()
    ```
    """

    def __init__(self, state_dict, ignore_prefixes=(), source="checkpoint"):
        self.state_dict = state_dict
        self.ignore_prefixes = tuple(ignore_prefixes)
        self.source = source
        self.used = set()
        self.problems = []

    def take(self, key):
        """The array under `key` (marked used), or None if it is missing."""
        if key not in self.state_dict:
            self.problems.append(f"missing key {key!r}")
            return None
        self.used.add(key)
        return self.state_dict[key]

    def skip(self, *keys):
        """Marks keys as deliberately unused (buffers Keras has no use for)."""
        for key in keys:
            if key in self.state_dict:
                self.used.add(key)

    def assign(self, variable, key, transform=None):
        """Writes `transform(state_dict[key])` into `variable`."""
        value = self.take(key)
        if value is None:
            return
        value = np.asarray(value if transform is None else transform(value))
        expected = tuple(variable.shape)
        if value.shape != expected:
            self.problems.append(
                f"shape mismatch for {key!r}: checkpoint {value.shape} "
                f"(after layout conversion) vs Keras variable "
                f"{variable.path!r} {expected}"
            )
            return
        variable.assign(value.astype(variable.dtype))

    def unused_keys(self):
        return sorted(
            k for k in self.state_dict
            if k not in self.used and not k.startswith(self.ignore_prefixes)
        )

    def finish(self):
        """Raises a `ValueError` listing every problem found, if any."""
        problems = self.problems + [f"unused key {k!r}" for k in self.unused_keys()]
        if not problems:
            return
        listed = "\n  ".join(problems[:MAX_LISTED])
        more = len(problems) - MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        raise ValueError(
            f"{self.source} does not match the model ({len(problems)} "
            f"problems):\n  {listed}{tail}"
        )
