"""Zoo entries that are keras-hub presets (DINOv2, DINOv3, CLIP, SigLIP, BERT).

keras-hub downloads the files (Kaggle, through kagglehub, which checks
each against the MD5 the server reports); keras_ssl then checks the sha256
of each file the entry lists before keras-hub builds the model. keras-hub
presets are versioned (`.../dinov2_small/1`), so a pinned digest stays
valid; entries whose digests are not pinned yet are refused unless
`allow_unpinned=True`, which pins them at the first load (in
`<cache>/keras_hub_pins/<name>.json`).
"""

import json
import os

from keras_ssl.presets.cache import cache_dir
from keras_ssl.presets.cache import safe_join
from keras_ssl.presets.cache import sha256_of


def load_keras_hub_entry(entry, load_weights=True, allow_unpinned=False):
    """Builds the keras-hub model of a `"keras_hub"` zoo entry.

    The entry names the keras-hub preset (`source`), its class
    (`keras_hub_class`, e.g. `"DINOV2Backbone"`) and, for two-tower models,
    the `component` to return (`"vision_encoder"` for CLIP and SigLIP).
    """
    import keras_hub
    from keras_hub.src.utils.preset_utils import get_file

    pins = _read_pins(entry["name"])
    expected = {
        name: (facts or {}).get("sha256") or pins.get(name)
        for name, facts in entry["files"].items()
    }
    unpinned = sorted(name for name, digest in expected.items() if digest is None)
    if unpinned and not allow_unpinned:
        raise ValueError(
            f"Zoo entry {entry['name']!r} pins no sha256 for {unpinned} yet, "
            "so the download cannot be checked. Pass `allow_unpinned=True` "
            "to trust the first download and pin its digests."
        )
    for name, digest in expected.items():
        actual = sha256_of(get_file(entry["source"], name))
        if digest is None:
            pins[name] = actual
        elif actual != digest:
            raise ValueError(
                f"sha256 mismatch for {name} of {entry['source']!r}: "
                f"expected {digest}, got {actual}."
            )
    _write_pins(entry["name"], pins)
    cls = getattr(keras_hub.models, entry["keras_hub_class"])
    model = cls.from_preset(entry["source"], load_weights=load_weights)
    component = entry.get("component")
    return getattr(model, component) if component else model


def _pins_path(name):
    return safe_join(os.path.join(cache_dir(), "keras_hub_pins"), f"{name}.json")


def _read_pins(name):
    path = _pins_path(name)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _write_pins(name, pins):
    path = _pins_path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(pins, f, indent=2)
