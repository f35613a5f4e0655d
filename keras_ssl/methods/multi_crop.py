"""Helpers of the multi-crop methods (DINO, SwAV, MSN): crops of several sizes."""

import keras
from keras import ops


def _size_groups(views):
    """(start, end) of each run of consecutive views with the same shape."""
    groups, start = [], 0
    for end in range(1, len(views) + 1):
        if end == len(views) or tuple(views[end].shape[1:]) != tuple(
            views[start].shape[1:]
        ):
            groups.append((start, end))
            start = end
    return groups


def encode_by_size(views, encoder, head, training):
    """Features and head outputs of every view, one pass per crop size.

    Consecutive views of one size go through `encoder` and `head` together
    (one batch), as in the papers' code. Returns two lists with one tensor
    per view: encoder features (b, d) and head outputs (b, e).
    """
    features, outputs = [], []
    for start, end in _size_groups(views):
        count = end - start
        f = encoder(ops.concatenate(views[start:end], axis=0), training=training)
        out = head(f, training=training)
        features.extend(ops.split(f, count, axis=0) if count > 1 else [f])
        outputs.extend(ops.split(out, count, axis=0) if count > 1 else [out])
    return features, outputs


def check_accepts_smaller_crops(method, encoder, crop_size, num_crops, argument):
    """Raises unless `encoder` takes crops of `crop_size` when any are made."""
    if not isinstance(encoder, keras.Model) or not num_crops:
        return
    spatial = tuple(encoder.input_shape[1:3])
    if any(size is not None and size != crop_size for size in spatial):
        raise ValueError(
            f"{method}'s {argument.replace('num_', '').replace('_', ' ')} are "
            "smaller than its other views, so the encoder must accept any "
            "image size: build it with image_shape=(None, None, channels), "
            f"or pass {argument}=0. Received an encoder with input shape "
            f"{encoder.input_shape} and crops of {crop_size} pixels."
        )
