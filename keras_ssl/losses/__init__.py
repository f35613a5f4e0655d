"""Losses: pure `keras.ops` functions and thin `keras.losses.Loss` wrappers."""

from keras_ssl.losses.barlow_twins_loss import BarlowTwinsLoss
from keras_ssl.losses.barlow_twins_loss import barlow_twins_loss
from keras_ssl.losses.common import l2_normalize
from keras_ssl.losses.dcl_loss import DCLLoss
from keras_ssl.losses.dcl_loss import dcl_loss
from keras_ssl.losses.dclw_loss import DCLWLoss
from keras_ssl.losses.dclw_loss import dclw_loss
from keras_ssl.losses.dino_loss import DINOLoss
from keras_ssl.losses.dino_loss import dino_loss
from keras_ssl.losses.info_nce import InfoNCE
from keras_ssl.losses.info_nce import info_nce
from keras_ssl.losses.msn_loss import MSNLoss
from keras_ssl.losses.msn_loss import msn_loss
from keras_ssl.losses.negative_cosine_similarity import NegativeCosineSimilarity
from keras_ssl.losses.negative_cosine_similarity import (
    negative_cosine_similarity,
)
from keras_ssl.losses.ntxent import NTXent
from keras_ssl.losses.ntxent import ntxent
from keras_ssl.losses.sinkhorn import sinkhorn
from keras_ssl.losses.sinkhorn import sinkhorn_knopp
from keras_ssl.losses.swav_loss import SwAVLoss
from keras_ssl.losses.swav_loss import swav_loss
from keras_ssl.losses.vicreg_loss import VICRegLoss
from keras_ssl.losses.vicreg_loss import vicreg_loss
