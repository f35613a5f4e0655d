"""Presets and the zoo: save, load, download, convert pretrained encoders.

- `save_to_preset(model, dir)` / `from_preset(name_or_path)`: keras-hub's
  preset format (config.json, model.weights.h5, metadata.json), plus the
  whole SSL model (ssl_model.json, ssl_model.weights.h5) to continue
  pretraining.
- `list_zoo()` / `get_zoo_entry(name)`: the registry of pretrained encoders.
- `convert_checkpoint(path, family)`: official PyTorch checkpoints (MoCo,
  DINO, SwAV, Barlow Twins, VICReg, MAE, torchvision / timm) to Keras.
- `fetch_verified(url, sha256)`: downloads checked against their sha256.
"""

from keras_ssl.presets.cache import cache_dir
from keras_ssl.presets.converters import FAMILIES
from keras_ssl.presets.converters import convert_checkpoint
from keras_ssl.presets.converters import convert_mae_checkpoint
from keras_ssl.presets.download import fetch_verified
from keras_ssl.presets.preset_loader import from_preset
from keras_ssl.presets.preset_loader import read_metadata
from keras_ssl.presets.preset_loader import verify_folder
from keras_ssl.presets.preset_saver import save_to_preset
from keras_ssl.presets.zoo_entry_writer import write_zoo_entry
from keras_ssl.presets.zoo_registry import get_zoo_entry
from keras_ssl.presets.zoo_registry import list_zoo

__all__ = [
    "FAMILIES",
    "cache_dir",
    "convert_checkpoint",
    "convert_mae_checkpoint",
    "fetch_verified",
    "from_preset",
    "get_zoo_entry",
    "list_zoo",
    "read_metadata",
    "save_to_preset",
    "verify_folder",
    "write_zoo_entry",
]
