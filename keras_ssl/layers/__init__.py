"""Building blocks: heads, prototypes, queue, patch masking, synchronized BN."""

from keras_ssl.layers.byol_prediction_head import BYOLPredictionHead
from keras_ssl.layers.byol_projection_head import BYOLProjectionHead
from keras_ssl.layers.dino_projection_head import DINOProjectionHead
from keras_ssl.layers.mae_decoder import MAEDecoder
from keras_ssl.layers.memory_queue import MemoryQueue
from keras_ssl.layers.moco_v2_projection_head import MoCoV2ProjectionHead
from keras_ssl.layers.msn_projection_head import MSNProjectionHead
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.layers.prototypes import Prototypes
from keras_ssl.layers.random_patch_mask import RandomPatchMask
from keras_ssl.layers.simclr_projection_head import SimCLRProjectionHead
from keras_ssl.layers.swav_projection_head import SwAVProjectionHead
from keras_ssl.layers.sync_batch_normalization import SyncBatchNormalization
from keras_ssl.layers.sync_batch_normalization import synchronize_batch_norm
