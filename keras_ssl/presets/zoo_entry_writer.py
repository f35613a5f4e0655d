"""Writes a `"keras_ssl"` zoo entry (files, sha256s, model card) from a preset."""

import json
import os
import shutil

from keras_ssl.presets import preset_saver as files
from keras_ssl.presets import zoo_registry
from keras_ssl.presets.cache import safe_join
from keras_ssl.presets.preset_loader import read_metadata

ENTRY_FILES = (
    files.CONFIG_FILE, files.WEIGHTS_FILE, files.SSL_CONFIG_FILE,
    files.SSL_WEIGHTS_FILE, files.METADATA_FILE,
)


def write_zoo_entry(preset_dir, name, description, recipe, metrics,
                    zoo_root=None):
    """Copies a preset into the zoo and registers it with its digests.

    The preset's files go to `<zoo>/presets/<name>/` beside a model card
    (`README.md`); `<zoo>/entries/<name>.json` records the method, encoder
    and data set (from the preset's metadata), the recipe command, the
    metrics, the parameter count and the size and sha256 of every file.

    Args:
        preset_dir: str. A folder written by `save_to_preset`.
        name: str. Entry name, `<method>_<encoder>_<dataset>`.
        description: str. One or two sentences for `keras-ssl zoo list`.
        recipe: str. The command that regenerates the weights.
        metrics: dict. `{"measured": {...}, "reported": {...}}`.
        zoo_root: str or None. The zoo folder; the package's when None.

    Returns:
        dict. The entry written.
    """
    zoo_root = zoo_root or zoo_registry.ZOO_ROOT
    if not name or not name.replace("_", "").isalnum() or name != name.lower():
        raise ValueError(
            f"`name` must be lower-case letters, digits and underscores. Received: name={name!r}."
        )
    metadata = read_metadata(preset_dir)
    target = safe_join(os.path.join(zoo_root, "presets"), name)
    os.makedirs(target, exist_ok=True)
    present = [f for f in ENTRY_FILES if os.path.exists(os.path.join(preset_dir, f))]
    for file_name in present:
        shutil.copyfile(os.path.join(preset_dir, file_name), os.path.join(target, file_name))
    entry = {
        "name": name,
        "kind": "keras_ssl",
        "method": metadata.get("method"),
        "encoder": metadata.get("encoder"),
        "dataset": metadata.get("dataset"),
        "description": description,
        "source": f"keras_ssl/zoo/presets/{name}",
        "recipe": recipe,
        "metrics": metrics,
        "parameter_count": metadata.get("parameter_count"),
        "files": files.describe_files(target, present),
    }
    with open(os.path.join(target, files.MODEL_CARD_FILE), "w", encoding="utf-8") as f:
        f.write(model_card(entry))
    os.makedirs(os.path.join(zoo_root, "entries"), exist_ok=True)
    with open(os.path.join(zoo_root, "entries", f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(entry, f, indent=2)
        f.write("\n")
    return entry


def model_card(entry):
    """A markdown model card for a zoo entry."""
    lines = [
        f"# {entry['name']}",
        "",
        entry["description"],
        "",
        f"- kind: {entry['kind']}",
        f"- method: {entry['method']}",
        f"- encoder: {entry['encoder']} ({entry['parameter_count']} parameters)",
        f"- data set: {entry['dataset']}",
        f"- source: {entry['source']}",
        "",
        "## Recipe",
        "",
        "```bash",
        entry["recipe"],
        "```",
        "",
        "## Metrics",
        "",
        "| kind | metric | value % | protocol | source |",
        "|---|---|---|---|---|",
    ]
    for kind in ("measured", "reported"):
        for metric, facts in (entry["metrics"].get(kind) or {}).items():
            lines.append(
                f"| {kind} | {metric} | {facts.get('value')} | "
                f"{facts.get('protocol', '')} | {facts.get('source', '')} |"
            )
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    for file_name, facts in entry["files"].items():
        lines.append(f"| {file_name} | {facts.get('size')} | {facts.get('sha256')} |")
    lines += [
        "",
        "Load it with `keras_ssl.presets.from_preset(\"" + entry["name"] + "\")`.",
        "",
    ]
    return "\n".join(lines)
