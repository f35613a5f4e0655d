"""Text views of the zoo for `keras-ssl zoo list` and `keras-ssl zoo show`."""

import json

from keras_ssl.presets import zoo_registry
from keras_ssl.presets.zoo_entry_writer import model_card


def _headline_metric(entry):
    for kind in ("measured", "reported"):
        for metric, facts in (entry["metrics"].get(kind) or {}).items():
            return f"{metric} {facts.get('value')}% ({kind})"
    return "-"


def format_zoo_list(kind=None):
    """One line per entry: name, kind, method, encoder, data set, a metric."""
    rows = [("name", "kind", "method", "encoder", "dataset", "metric")]
    for name in zoo_registry.list_zoo(kind):
        entry = zoo_registry.get_zoo_entry(name)
        rows.append((name, entry["kind"], entry["method"], entry["encoder"],
                     entry["dataset"], _headline_metric(entry)))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
        for row in rows
    )


def format_zoo_entry(name):
    """The model card of an entry, then its raw registry record."""
    entry = zoo_registry.get_zoo_entry(name)
    return model_card(entry) + "\n## Registry entry\n\n" + json.dumps(entry, indent=2)
