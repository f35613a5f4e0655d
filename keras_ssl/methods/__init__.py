"""Self-supervised methods: `keras.Model`s trained with `fit`."""

from keras_ssl.methods.barlow_twins import BarlowTwins
from keras_ssl.methods.byol import BYOL
from keras_ssl.methods.colorization import Colorization
from keras_ssl.methods.dcl import DCL
from keras_ssl.methods.dclw import DCLW
from keras_ssl.methods.dino import DINO
from keras_ssl.methods.jigsaw import Jigsaw
from keras_ssl.methods.moco_v2 import MoCoV2
from keras_ssl.methods.moco_v3 import MoCoV3
from keras_ssl.methods.msn import MSN
from keras_ssl.methods.nnclr import NNCLR
from keras_ssl.methods.relative_patch_location import RelativePatchLocation
from keras_ssl.methods.rotation_prediction import RotationPrediction
from keras_ssl.methods.simclr import SimCLR
from keras_ssl.methods.simsiam import SimSiam
from keras_ssl.methods.ssl_model import SSLModel
from keras_ssl.methods.swav import SwAV
from keras_ssl.methods.vicreg import VICReg

# The methods `keras-ssl pretrain` and `keras_ssl.pipeline` train with their
# small-data settings (the pretext-task methods take their own encoders).
METHODS = {
    "simclr": SimCLR,
    "moco_v2": MoCoV2,
    "byol": BYOL,
    "simsiam": SimSiam,
    "barlow_twins": BarlowTwins,
    "vicreg": VICReg,
    "dino": DINO,
    "moco_v3": MoCoV3,
    "nnclr": NNCLR,
    "dcl": DCL,
    "dclw": DCLW,
    "swav": SwAV,
    "msn": MSN,
}


def get_method(name):
    """The method class registered as `name` (e.g. "simclr")."""
    if name not in METHODS:
        raise ValueError(
            f"Unknown method {name!r}. Expected one of {sorted(METHODS)}."
        )
    return METHODS[name]
