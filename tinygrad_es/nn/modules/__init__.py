"""Las capas de ``torch.nn``, repartidas por tema como en PyTorch (``nn/modules/``): cada fichero
tiene su gemelo en ``nn/functional/`` con las funciones que usan sus capas."""
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .attention import MultiheadAttention
from .activation import (CELU, RReLU, ELU, GELU, GLU, PReLU, ReLU, ReLU6, SELU, SiLU, Hardshrink, Hardsigmoid, Hardswish,
                         Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, Sigmoid, Softmax, Softmax2d, Softmin,
                         Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from .ctc_loss import CTCLoss
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .conv3d import Conv3d, ConvTranspose3d, LazyConv3d, LazyConvTranspose3d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .fold import Fold, Unfold
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .margin_loss import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, MarginRankingLoss,
                          MultiLabelSoftMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss,
                          TripletMarginWithDistanceLoss)
from .multi_margin_loss import MultiLabelMarginLoss, MultiMarginLoss
from .instancenorm import (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LazyInstanceNorm1d,
                           LazyInstanceNorm2d, LazyInstanceNorm3d)
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d, LazyConvTranspose1d,
                   LazyConvTranspose2d,
                   LazyLinear, LazyModuleMixin)
from .linear_cross_entropy_options import LinearCrossEntropyOptions
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                   NLLLoss2d, SmoothL1Loss)
from .sync_batchnorm import SyncBatchNorm
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
                      ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                      ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .pixelshuffle import ChannelShuffle, PixelShuffle, PixelUnshuffle
from .lp_pool import LPPool1d, LPPool2d, LPPool3d
from .fractional_pool import FractionalMaxPool2d, FractionalMaxPool3d
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d,
                      MaxPool1d, MaxPool2d, MaxUnpool1d, MaxUnpool2d)
from .pooling3d import AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d, MaxUnpool3d
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .sparse import Embedding, EmbeddingBag
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
           "Softplus", "Softsign", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink", "Threshold", "GLU", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "Sequential",
           "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Conv1d", "Conv2d", "ConvTranspose2d", "CosineSimilarity",
           "PairwiseDistance", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "Identity", "Linear", "Bilinear",
           "Flatten", "Unflatten", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm",
           "GroupNorm", "MaxPool1d", "MaxPool2d", "MaxUnpool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "ZeroPad2d", "ConstantPad2d",
           "ReflectionPad2d", "ReplicationPad2d", "Embedding", "LazyLinear", "LazyConv1d", "LazyConv2d",
           "LazyConvTranspose2d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyModuleMixin", "Unfold", "LocalResponseNorm",
           "SoftMarginLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "MultiLabelSoftMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss", "PixelShuffle", "PixelUnshuffle",
           "Fold"]
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention",
            "RMSNorm", "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
            "TransformerDecoderLayer"]
__all__ += ["ZeroPad1d", "ZeroPad3d", "ConstantPad1d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad3d",
            "ReplicationPad1d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]
__all__ += ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
            "LazyInstanceNorm3d"]
__all__ += ["ConvTranspose1d", "LazyConvTranspose1d"]
__all__ += ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "MaxUnpool1d", "LPPool1d", "LPPool2d"]
__all__ += ["RReLU"]
__all__ += ["AlphaDropout", "FeatureAlphaDropout"]
__all__ += ["ChannelShuffle"]
__all__ += ["TripletMarginWithDistanceLoss", "MultiMarginLoss", "MultiLabelMarginLoss"]
__all__ += ["EmbeddingBag"]
__all__ += ["CTCLoss"]
__all__ += ["NLLLoss2d"]
__all__ += ["SyncBatchNorm"]
__all__ += ["Conv3d", "ConvTranspose3d", "LazyConv3d", "LazyConvTranspose3d", "MaxPool3d", "AvgPool3d", "MaxUnpool3d",
            "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "LPPool3d"]
__all__ += ["AdaptiveLogSoftmaxWithLoss"]
__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]
__all__ += ["LinearCrossEntropyOptions"]
