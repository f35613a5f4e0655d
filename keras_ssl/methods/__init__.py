"""Self-supervised methods: `keras.Model`s trained with `fit`."""

from keras_ssl.methods.barlow_twins import BarlowTwins
from keras_ssl.methods.byol import BYOL
from keras_ssl.methods.moco_v2 import MoCoV2
from keras_ssl.methods.simclr import SimCLR
from keras_ssl.methods.simsiam import SimSiam
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.methods.vicreg import VICReg

METHODS = {
    "simclr": SimCLR,
    "moco_v2": MoCoV2,
    "byol": BYOL,
    "simsiam": SimSiam,
    "barlow_twins": BarlowTwins,
    "vicreg": VICReg,
}


def get_method(name):
    """The method class registered as `name` (e.g. "simclr")."""
    if name not in METHODS:
        raise ValueError(
            f"Unknown method {name!r}. Expected one of {sorted(METHODS)}."
        )
    return METHODS[name]
