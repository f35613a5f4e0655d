"""Shared building blocks: heads, the memory queue."""

from keras_ssl.layers.byol_prediction_head import BYOLPredictionHead
from keras_ssl.layers.byol_projection_head import BYOLProjectionHead
from keras_ssl.layers.dino_projection_head import DINOProjectionHead
from keras_ssl.layers.mae_decoder import MAEDecoder
from keras_ssl.layers.memory_queue import MemoryQueue
from keras_ssl.layers.moco_v2_projection_head import MoCoV2ProjectionHead
from keras_ssl.layers.projection_head import ProjectionHead
from keras_ssl.layers.simclr_projection_head import SimCLRProjectionHead
