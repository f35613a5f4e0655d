"""The zoo registry: one JSON entry per pretrained encoder.

Entries live in `keras_ssl/zoo/entries/<name>.json` (package data, so the
registry works after a plain `pip install`); the weights of encoders
pretrained here live beside them in `keras_ssl/zoo/presets/<name>/`. Every
entry has these fields:

- `name`, `kind` (`"keras_ssl"`: weights in this package;
  `"keras_hub"`: a keras-hub preset; `"converted"`: an official PyTorch
  checkpoint read by a converter), `method`, `encoder`, `dataset`,
  `description`;
- `source`: the folder, keras-hub preset name or URL the weights come from;
- `recipe`: the command that produced the weights (or the upstream one);
- `metrics`: `{"reported": {...}, "measured": {...}}`, each metric a dict
  with `value` (percent), `protocol` and `source`; a `measured` metric was
  measured by keras_ssl's own code, a `reported` one is the authors' figure;
- `parameter_count`;
- `files`: `{file name: {"size": bytes, "sha256": hex or null}}`; `null`
  means the digest is not pinned yet (see `fetch_verified`).
"""

import json
import os

from keras_ssl.presets.cache import safe_join

ZOO_ROOT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "zoo")
ENTRIES_DIR = os.path.join(ZOO_ROOT, "entries")
PRESETS_DIR = os.path.join(ZOO_ROOT, "presets")
KINDS = ("keras_ssl", "keras_hub", "converted")
REQUIRED_FIELDS = (
    "name", "kind", "method", "encoder", "dataset", "description", "source",
    "recipe", "metrics", "parameter_count", "files",
)


def list_zoo(kind=None, entries_dir=None):
    """Sorted names of the zoo entries, optionally of one `kind` only."""
    entries_dir = entries_dir or ENTRIES_DIR
    if kind is not None and kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS} or None. Received: kind={kind!r}.")
    names = sorted(
        f[: -len(".json")] for f in os.listdir(entries_dir) if f.endswith(".json")
    )
    if kind is None:
        return names
    return [n for n in names if get_zoo_entry(n, entries_dir)["kind"] == kind]


def get_zoo_entry(name, entries_dir=None):
    """The checked registry entry (a dict) of zoo preset `name`."""
    entries_dir = entries_dir or ENTRIES_DIR
    names = list_zoo(entries_dir=entries_dir)
    if name not in names:
        from keras_ssl.presets.handles import _unknown_message

        raise ValueError(_unknown_message(name, names))
    path = safe_join(entries_dir, f"{name}.json")
    with open(path, encoding="utf-8") as f:
        try:
            entry = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"Zoo entry {path} is not valid JSON: {error}") from error
    _check_entry(path, name, entry)
    return entry


def zoo_preset_dir(name):
    """The folder holding the files of a `"keras_ssl"` zoo entry."""
    return safe_join(PRESETS_DIR, name)


def _check_entry(path, name, entry):
    missing = [f for f in REQUIRED_FIELDS if f not in entry]
    if missing:
        raise ValueError(f"Zoo entry {path} lacks the fields {missing}.")
    if entry["name"] != name:
        raise ValueError(
            f"Zoo entry {path} is named {entry['name']!r}, not {name!r}."
        )
    if entry["kind"] not in KINDS:
        raise ValueError(
            f"Zoo entry {path} has kind {entry['kind']!r}; expected one of {KINDS}."
        )
    for file_name in entry["files"]:
        safe_join(ZOO_ROOT, file_name)  # no entry may point outside its folder
