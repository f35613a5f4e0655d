"""SSLModel: the base of every method; backend-neutral hooks over one engine."""

import math

import keras
from keras import ops

from keras_ssl.api_export import keras_ssl_export
from keras_ssl.backend import SSLTrainer
from keras_ssl.backend.collectives import all_reduce
from keras_ssl.backend.collectives import global_mean
from keras_ssl.encoders.feature_encoder import as_feature_encoder
from keras_ssl.evaluation.collapse import std_of_l2_normalized
from keras_ssl.layers.sync_batch_normalization import synchronize_batch_norm
from keras_ssl.methods.replica_seeds import per_replica_seeds
from keras_ssl.methods.ssl_batch import flatten_labels
from keras_ssl.methods.ssl_batch import unpack_ssl_batch
from keras_ssl.utils.validation import check_positive_int
from keras_ssl.utils.validation import check_unit_interval

MOMENTUM_SCHEDULES = ("cosine", "constant")


@keras_ssl_export
class SSLModel(SSLTrainer, keras.Model):
    """Base class of self-supervised methods, trained with `model.fit`.

    A method subclasses `SSLModel` and implements
    `compute_ssl_loss(views, training) -> (loss, outputs)`, where `outputs`
    holds `"features"` (encoder output of the first view, (b, d)),
    `"embeddings"` (the vectors the loss compares, (b, e)) and any extra
    scalars to log (named in `log_names`). Methods with momentum (EMA)
    targets return `[(online_layer, target_layer), ...]` from
    `momentum_pairs`. Methods never contain backend code: the train step of
    the active backend (`keras_ssl.backend`) runs these hooks:

    1. read the batch: images, pre-made views, optional labels;
    2. make views on device with `augmenter` when given images;
    3. `compute_ssl_loss`; state buffers (queues) are variables assigned in
       it;
    4. gradients of `optimizer.scale_loss(loss)`; `optimizer.apply`;
    5. EMA of each target towards its online layer after the step:
       `target = m * target + (1 - m) * online`, with `m = momentum(step)`;
    6. metrics: `loss`, the method's logs, `embedding_std` (collapse monitor:
       0 when collapsed, about 1/sqrt(e) when healthy) and, when labels are
       present and `num_classes` is set, `probe_loss` / `probe_accuracy` of
       an online linear probe trained on stop-gradient features (labels never
       change the encoder).

    `model(images)` and `model.predict(images)` return encoder features;
    `model.encoder` is a plain `keras.Model` that works without keras_ssl.

    Args:
        encoder: keras.Model. Maps images (b, h, w, c) to features: a vector,
            a feature map (average-pooled) or a token sequence (class token).
        augmenter: optional keras layer mapping images to a list of views.
            Defaults to `None`: the method's paper pipeline.
        num_classes: optional int. Classes of the online linear probe, which
            trains whenever batches carry labels. Defaults to `None`.
        base_momentum: float in [0, 1]. EMA momentum at step 0 (methods with
            momentum targets). Defaults to `0.996`.
        momentum_schedule: "cosine" (base_momentum to 1 over the run) or
            "constant". Defaults to `"cosine"`.
        sync_batch_norm: bool. Replace the encoder's BatchNorm layers by
            `keras_ssl.layers.SyncBatchNormalization` (statistics of the
            global batch when training on several replicas with TensorFlow
            or PyTorch; JAX's are global already). The heads' BatchNorm is
            always synchronized. On one device it changes nothing but the
            layer class (the encoder then needs keras_ssl to load; convert
            back with `keras_ssl.layers.synchronize_batch_norm(encoder,
            False)`). Defaults to `False`.
    """

    num_views = 2
    same_size_views = True
    log_names = ()

    def __init__(
        self,
        encoder,
        augmenter=None,
        num_classes=None,
        base_momentum=0.996,
        momentum_schedule="cosine",
        sync_batch_norm=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(encoder, keras.Model):
            raise TypeError(
                "`encoder` must be a keras.Model mapping images to features. "
                f"Received: encoder={encoder!r}."
            )
        self.sync_batch_norm = bool(sync_batch_norm)
        encoder = as_feature_encoder(encoder)
        if self.sync_batch_norm:
            # Converted before assignment: only the copy is tracked (saved).
            encoder = synchronize_batch_norm(encoder)
        self.encoder = encoder
        self.image_shape = tuple(self.encoder.input_shape[1:])
        self.feature_dim = int(self.encoder.output_shape[-1])
        self.augmenter = augmenter or self.default_augmenter(self.image_shape)
        self.num_classes = (
            None
            if num_classes is None
            else check_positive_int("num_classes", num_classes)
        )
        self.base_momentum = check_unit_interval("base_momentum", base_momentum)
        if momentum_schedule not in MOMENTUM_SCHEDULES:
            raise ValueError(
                f"`momentum_schedule` must be one of {MOMENTUM_SCHEDULES}. "
                f"Received: momentum_schedule={momentum_schedule!r}."
            )
        self.momentum_schedule = momentum_schedule
        self.probe = None
        if self.num_classes is not None:
            self.probe = keras.layers.Dense(
                self.num_classes, dtype="float32", name="online_probe"
            )
            self.probe.build((None, self.feature_dim))
        self.momentum_total_steps = self.add_weight(
            shape=(),
            initializer="zeros",
            trainable=False,
            dtype="float32",
            name="momentum_total_steps",
        )
        # For schedules given in epochs (DINO's teacher temperature); set by
        # `fit` when the number of batches is known.
        self.steps_per_epoch = self.add_weight(
            shape=(),
            initializer="zeros",
            trainable=False,
            dtype="float32",
            name="steps_per_epoch",
        )
        self._trackers = self._create_trackers()

    # === Hooks for methods ===

    def default_augmenter(self, image_shape):
        """The paper's view maker for images of `image_shape`."""
        raise TypeError(
            f"{type(self).__name__} has no default augmenter: pass "
            "`augmenter=` (a layer mapping images to a list of views)."
        )

    def compute_ssl_loss(self, views, training=False):
        """Returns `(loss, outputs)`; see the class docstring."""
        raise TypeError(
            f"{type(self).__name__} must implement compute_ssl_loss: "
            "SSLModel is a base class, not a method."
        )

    @property
    def momentum_pairs(self):
        """List of (online_layer, target_layer) updated by EMA each step."""
        return []

    @property
    def schedules_by_epoch(self):
        """Whether the step schedules something by epoch (needs the epoch length).

        Methods that warm up or freeze by epoch (`keras_ssl.methods.
        epoch_schedule`) return True; `fit` then refuses input of unknown
        length unless `steps_per_epoch` is given.
        """
        return False

    def momentum(self, step):
        """EMA momentum at optimizer step `step` (0-based).

        Cosine: `1 - (1 - base) * (cos(pi * step / total) + 1) / 2`, reaching
        1 at the end of the run (`total` is set by `fit`; before any `fit`
        the base momentum is used).
        """
        base = self.base_momentum
        if self.momentum_schedule == "constant":
            return ops.convert_to_tensor(base, dtype="float32")
        total = ops.convert_to_tensor(self.momentum_total_steps)
        progress = ops.minimum(
            ops.cast(step, "float32") / ops.maximum(total, 1.0), 1.0
        )
        cosine = 1.0 - (1.0 - base) * (ops.cos(math.pi * progress) + 1.0) / 2.0
        return ops.where(total > 0, cosine, base)

    # === Model API ===

    def build(self, input_shape=None):
        # Heads are built in the methods' constructors; the augmenter may
        # create its state (seed generators) lazily, so build it here, before
        # a JAX train step captures the model state.
        if not self.augmenter.built:
            self.augmenter.build((None,) + self.image_shape)
        self.built = True

    def call(self, inputs, training=False):
        images, views, _ = unpack_ssl_batch(inputs)
        images = images if views is None else views[0]
        self._check_images("images", images, exact_size=True)
        return self.encoder(images, training=training)

    def compile_from_config(self, config):
        # Keras builds the optimizer on load only for a built model; all our
        # state exists after __init__, so build first and the saved
        # optimizer state (moments, step count) is restored too.
        self.build()
        super().compile_from_config(config)

    @property
    def metrics(self):
        return list(self._trackers.values())

    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        # Checks first: a refused fit leaves every variable as it was.
        self._check_last_batch(x, batch_size)
        # All state exists after __init__; TensorFlow's fit would otherwise
        # leave the model unbuilt, and Keras refuses to save unbuilt weights.
        self.build()
        steps = kwargs.get("steps_per_epoch") or _count_batches(x, batch_size)
        if self.momentum_variable_pairs and self.momentum_schedule == "cosine":
            if steps is None:
                raise ValueError(
                    "The cosine momentum schedule needs the run length, and "
                    "the number of batches of `x` is unknown. Pass "
                    "`steps_per_epoch`, or momentum_schedule='constant'."
                )
            self.momentum_total_steps.assign(float(epochs * steps))
        if steps is None and self.schedules_by_epoch:
            raise ValueError(
                f"{type(self).__name__} schedules by epoch (warm-up or "
                "freezing), and the number of batches of `x` is unknown. "
                "Pass `steps_per_epoch`."
            )
        if steps is not None:
            self.steps_per_epoch.assign(float(steps))
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "augmenter": keras.saving.serialize_keras_object(self.augmenter),
            "num_classes": self.num_classes,
            "base_momentum": self.base_momentum,
            "momentum_schedule": self.momentum_schedule,
            "sync_batch_norm": self.sync_batch_norm,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("encoder", "augmenter"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    # === The engine's backend-neutral steps ===

    def ssl_forward(self, data, training):
        """Views, method loss, probe, monitor: `(total_loss, logs, batch)`."""
        images, views, labels = unpack_ssl_batch(data)
        if views is None:
            views = self._make_views(images)
        views = [ops.cast(v, self.compute_dtype) for v in views]
        self._check_views(views, training)
        loss, outputs = self.compute_ssl_loss(views, training=training)
        outputs = dict(outputs)
        features = outputs.pop("features")
        embeddings = ops.stop_gradient(outputs.pop("embeddings"))
        logs = {"loss": ops.cast(loss, "float32"), **outputs}
        logs["embedding_std"] = std_of_l2_normalized(embeddings)
        total = logs["loss"]
        if labels is not None:
            probe_loss, probe_accuracy = self._probe_step(features, labels)
            total = total + probe_loss
            logs.update(probe_loss=probe_loss, probe_accuracy=probe_accuracy)
        # Metrics weigh each step by its global batch, as on one device.
        batch = ops.cast(ops.shape(views[0])[0], "float32")
        return total, logs, all_reduce(batch)

    def update_ssl_metrics(self, logs, batch_size):
        """Updates the running means; returns their results for `logs`."""
        weight = ops.cast(batch_size, "float32")
        results = {}
        for name, value in logs.items():
            tracker = self._trackers[name]
            tracker.update_state(ops.stop_gradient(value), sample_weight=weight)
            results[name] = tracker.result()
        return results

    @property
    def momentum_variable_pairs(self):
        """(online variable, target variable) pairs of `momentum_pairs`."""
        pairs = []
        for online, target in self.momentum_pairs:
            online_vars = [v for v in online.weights if v.trainable]
            target_vars = [
                t for o, t in zip(online.weights, target.weights) if o.trainable
            ]
            if [tuple(v.shape) for v in online_vars] != [
                tuple(v.shape) for v in target_vars
            ]:
                raise ValueError(
                    f"Momentum pair ({online.name}, {target.name}): the target "
                    "must have the online layer's weights in the same order."
                )
            pairs.extend(zip(online_vars, target_vars))
        return pairs

    def current_momentum(self):
        """The EMA momentum at the optimizer's current step."""
        if not self.momentum_variable_pairs:
            return None
        return self.momentum(self.optimizer.iterations)

    def update_momentum_targets(self, momentum):
        """`target = m * target + (1 - m) * online` for every momentum pair."""
        if momentum is None:
            return
        for online, target in self.momentum_variable_pairs:
            m = ops.cast(momentum, target.dtype)
            online_value = ops.cast(ops.stop_gradient(online), target.dtype)
            target.assign(m * target + (1.0 - m) * online_value)

    # === Internals ===

    def _create_trackers(self):
        names = ["loss", *self.log_names, "embedding_std"]
        if self.num_classes is not None:
            names += ["probe_loss", "probe_accuracy"]
        return {n: keras.metrics.Mean(name=n) for n in names}

    def _make_views(self, images):
        self._check_images("images", images, exact_size=False)
        with per_replica_seeds(self.augmenter):
            views = self.augment_in_step(ops.cast(images, "float32"))
        return list(views)

    def _probe_step(self, features, labels):
        if self.probe is None:
            raise ValueError(
                "The batch has labels but the model has no online probe. "
                "Pass `num_classes=` to the model to train the probe, or "
                "feed images without labels."
            )
        labels = flatten_labels(labels)
        logits = self.probe(ops.stop_gradient(ops.cast(features, "float32")))
        loss = keras.losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True
        )
        hits = ops.cast(ops.argmax(logits, axis=-1) == labels, "float32")
        return global_mean(loss), global_mean(hits)

    def _check_images(self, name, x, exact_size):
        """Raises unless `x` is (b, h, w, c) with the encoder's channels.

        With `exact_size`, h and w must also match the encoder's input (views
        go to the encoder as they are; raw images are resized by the
        augmenter).
        """
        expected = self.image_shape
        ok = len(x.shape) == 4 and x.shape[-1] == expected[-1]
        if ok and exact_size:
            ok = all(e is None or e == g for e, g in zip(expected, x.shape[1:]))
        if not ok:
            raise ValueError(
                f"`{name}` must be a batch of images of shape (batch, "
                f"{', '.join(str(d) for d in self.image_shape)}) for this "
                f"encoder (channels={self.image_shape[-1]}). Received: "
                f"{name}.shape={tuple(x.shape)}."
            )

    def _check_views(self, views, training):
        if self.num_views is not None and len(views) != self.num_views:
            raise ValueError(
                f"{type(self).__name__} takes {self.num_views} views per "
                f"image. Received {len(views)} views."
            )
        first = tuple(views[0].shape)
        # Multi-crop methods take views of several sizes: only the batch
        # size must then agree.
        same = "shape" if self.same_size_views else "batch size"
        compared = len(first) if self.same_size_views else 1
        for i, view in enumerate(views):
            self._check_images(f"views[{i}]", view, exact_size=self.same_size_views)
            if tuple(view.shape)[:compared] != first[:compared]:
                raise ValueError(
                    f"All views must have the same {same}. Received: "
                    f"views[0].shape={first}, views[{i}].shape="
                    f"{tuple(view.shape)}."
                )
        if training and first[0] == 1 and self._has_batch_norm():
            raise ValueError(
                "BatchNormalization cannot train on a batch of 1 image: its "
                "batch variance is 0. Use batches of at least 2 (check the "
                "last, partial batch)."
            )

    def _has_batch_norm(self):
        return any(
            isinstance(layer, keras.layers.BatchNormalization)
            for layer in self._flatten_layers(include_self=False)
        )

    def _check_last_batch(self, x, batch_size):
        count = _count_samples(x)
        size = batch_size or 32
        if count is not None and count % size == 1 and self._has_batch_norm():
            raise ValueError(
                f"{count} images in batches of {size} leave a last batch of 1 "
                "image, on which BatchNormalization cannot train. Drop one "
                "image or change `batch_size`."
            )


def _first_array(x):
    leaves = keras.tree.flatten(x)
    return leaves[0] if leaves and hasattr(leaves[0], "shape") else None


def _count_samples(x):
    """Number of samples of in-memory array input; None for datasets."""
    if hasattr(x, "cardinality") or isinstance(x, keras.utils.PyDataset):
        return None
    first = _first_array(x)
    return None if first is None else int(first.shape[0])


def _count_batches(x, batch_size):
    """Batches per epoch of arrays, tf.data datasets or PyDatasets, or None."""
    if isinstance(x, keras.utils.PyDataset):
        return x.num_batches
    if hasattr(x, "cardinality"):
        count = int(x.cardinality())
        return count if count > 0 else None
    count = _count_samples(x)
    return None if count is None else math.ceil(count / (batch_size or 32))
