"""Parses what `from_preset` is given: a zoo name, a folder, hf://, kaggle://."""

import os

HF_SCHEME = "hf"
KAGGLE_SCHEME = "kaggle"
SCHEMES = (HF_SCHEME, KAGGLE_SCHEME)
HF_EXAMPLE = "'hf://keras-ssl/simclr_small_cnn_shapes'"
KAGGLE_EXAMPLE = "'kaggle://owner/model/keras/variation/1'"


def parse_handle(preset, zoo_names):
    """Returns `(kind, value)` for a preset identifier.

    `kind` is `"zoo"` (a registry name), `"local"` (a folder), `"hf"`
    (`value` is `(org, model, revision)`) or `"kaggle"` (`value` is the
    handle without its scheme).

    Args:
        preset: str or path-like. The identifier.
        zoo_names: collection of str. The names of the zoo registry.
    """
    if isinstance(preset, os.PathLike):
        preset = os.fspath(preset)
    if not isinstance(preset, str) or not preset:
        raise ValueError(
            "`preset` must be a zoo name, a preset folder, or an hf:// or "
            f"kaggle:// handle. Received: preset={preset!r}."
        )
    if "://" in preset:
        scheme, rest = preset.split("://", 1)
        if scheme == HF_SCHEME:
            return HF_SCHEME, _parse_hf(preset, rest)
        if scheme == KAGGLE_SCHEME:
            return KAGGLE_SCHEME, _parse_kaggle(preset, rest)
        raise ValueError(
            f"Unknown preset scheme {scheme!r} in preset={preset!r}. Expected "
            f"one of {[s + '://' for s in SCHEMES]}, a zoo name or a folder."
        )
    if preset in zoo_names:
        return "zoo", preset
    if os.path.isdir(preset):
        return "local", preset
    raise ValueError(_unknown_message(preset, zoo_names))


def _parse_hf(preset, rest):
    repo, _, revision = rest.partition("@")
    parts = repo.split("/")
    if len(parts) != 2 or not all(parts) or ".." in parts:
        raise ValueError(
            "Malformed Hugging Face handle: it must have the form "
            f"hf://{{org}}/{{model}}[@revision], e.g. {HF_EXAMPLE}. "
            f"Received: preset={preset!r}."
        )
    return parts[0], parts[1], revision or "main"


def _parse_kaggle(preset, rest):
    parts = rest.split("/")
    if len(parts) not in (4, 5) or not all(parts) or ".." in parts:
        raise ValueError(
            "Malformed Kaggle handle: it must have the form "
            "kaggle://{owner}/{model}/{framework}/{variation}[/{version}], "
            f"e.g. {KAGGLE_EXAMPLE}. Received: preset={preset!r}."
        )
    return rest


def _unknown_message(preset, zoo_names):
    import difflib

    close = difflib.get_close_matches(preset, sorted(zoo_names), n=3)
    hint = f" Did you mean {close}?" if close else ""
    return (
        f"Unknown preset {preset!r}: it is neither a zoo name nor an "
        f"existing folder.{hint} `keras-ssl zoo list` lists the zoo; a "
        f"handle looks like {HF_EXAMPLE} or {KAGGLE_EXAMPLE}."
    )
