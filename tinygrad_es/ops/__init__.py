"""Las operaciones diferenciables a nivel de array: una ``ArrayFunction`` (la base interna del motor,
``autograd/array_function.py``) por operación, por familias.

Cada ``ArrayFunction`` recibe ndarrays y devuelve un ndarray (``forward(ctx, *arrays, **opciones)`` /
``backward(ctx, g)``, el contrato de ``autograd/__init__.py``) y lleva su derivada en el docstring.
Las comprobaciones de argumentos, la promoción de tipos y las composiciones están fuera: en
``_tensor/`` (``torch.x``, ``Tensor.x``) y en ``nn/functional/`` (``F.x``).

==============  ===================================================================================
fichero         operaciones
==============  ===================================================================================
arithmetic.py   Add Sub Mul Div Pow PowScalar Neg Atan2 Hypot LogAddExp Fmod Remainder DivRounding Lerp
clamp.py        Clip ClampTensor Maximum Minimum
unary.py        Exp Log Sqrt Abs Sin…Erfc (tabla ``_unary``) Frac Step NanToNum
activation.py   Tanh Sigmoid Relu LeakyRelu Gelu Silu Elu Softplus Mish Hardsigmoid Hardswish Hardtanh
                Logsigmoid Softshrink Hardshrink Threshold Prelu
copy.py         Cast Clone Contiguous
reduce.py       Sum Mean Var Amax Amin LogSumExp Softmax LogSoftmax Prod
movement.py     Reshape Permute Expand GetItem SetItem TakeAlong Cat Stack Pad
rearrange.py    Flip Roll Repeat Triangle Diagonal DiagEmbed Diag Unfold
matmul.py       MatMul Linear Cross Einsum
indexing.py     Gather Pick Scatter ScatterAdd ScatterReduce IndexSelect IndexAdd MaskedFill MaskedSelect
                Take Where Embedding
sorting.py      MedianAll Cumsum Cumprod LogCumSumExp (+ los índices de sort/topk/kthvalue/mode)
linalg.py       Inv Det Solve VectorNorm SpectralNorm
gamma.py        Lgamma Digamma Polygamma Erfinv I0 I1 I0e I1e Zeta (sobre ``kernels/gamma.py``)
normal.py       Ndtri LogNdtr Erfcx (sobre ``kernels/normal.py``)
loss.py         CrossEntropyIdx BCE BCEWithLogits
normalization.py BatchNorm (sobre ``kernels/normalization.py``)
conv.py         Conv2d ConvTranspose2d (sobre ``kernels/conv/``)
fold.py         Unfold Fold (im2col y col2im: cada una la traspuesta de la otra)
pooling.py      MaxPool2d AvgPool2d AdaptiveMaxPool2d AdaptiveAvgPool2d MaxUnpool2d Upsample
                (sobre ``kernels/pool/`` y ``kernels/upsample.py``)
==============  ===================================================================================

Las que necesitan velocidad llaman a un núcleo de ``kernels/`` (numba); el resto es numpy.
"""
