"""Secuencias de longitudes distintas (``torch.nn.utils.rnn``): rellenar y empaquetar.

Un lote de frases de longitudes 3, 2 y 1 se puede guardar **rellenado** (T = 3, B = 3, con
ceros al final de las cortas) o **empaquetado**: paso a paso, sólo los elementos que aún
existen, con las secuencias ordenadas de más larga a más corta::

    rellenado (T, B)      empaquetado: data = [a1 b1 c1 | a2 b2 | a3],  batch_sizes = [3, 2, 1]
      a1 b1 c1
      a2 b2 ·
      a3 ·  ·

Una ``nn.LSTM`` que recibe un ``PackedSequence`` no procesa el relleno: su ``h_n`` es el
estado tras el último elemento *real* de cada secuencia.

>>> from tinygrad_es.nn.utils.rnn import pad_sequence, pack_padded_sequence
>>> x = pad_sequence([torch.ones(3, 4), torch.ones(1, 4)])      # (3, 2, 4)
>>> p = pack_padded_sequence(x, [3, 1])                          # batch_sizes = [2, 1, 1]
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._tensor.joins import cat, stack
from ..._tensor import Tensor
from ...autograd import TensorBase
from ...ops.rnn import Rows
from ..functional import pad

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Un lote de secuencias de longitudes distintas, empaquetado: las RNN (``nn.LSTM``...) lo recorren sin
    calcular el relleno. Es una tupla con nombre:

    * ``data`` ``(Σ longitudes, *)``: los elementos paso a paso (primero el paso 0 de cada secuencia...);
    * ``batch_sizes`` ``(T,)`` int64: cuántas secuencias siguen vivas en cada paso;
    * ``sorted_indices`` / ``unsorted_indices``: la permutación que ordenó el lote por longitud
      (``None`` si ya venía ordenado).

    No se crea a mano: usa ``pack_padded_sequence`` o ``pack_sequence``.

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pack_sequence
        >>> pack_sequence([torch.tensor([1., 2., 3.]), torch.tensor([4., 5.])])
        PackedSequence(data=tensor([1., 4., 2., 5., 3.]), batch_sizes=tensor([2, 2, 1]),
                       sorted_indices=None, unsorted_indices=None)

    En PyTorch: ``torch.nn.utils.rnn.PackedSequence``.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        """Crea el empaquetado (véase el docstring de la clase).

        Args:
            data: los elementos, o una tupla ``(data, batch_sizes)``.
            batch_sizes: tensor 1-D de enteros.
            sorted_indices: la permutación que ordenó el lote (``None``).
            unsorted_indices: su inversa (``None``: se calcula).
        """
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(*tupla) como en PyTorch
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise TypeError("PackedSequence necesita data y batch_sizes")
            data, batch_sizes = data
        bs = batch_sizes if isinstance(batch_sizes, TensorBase) else Tensor._wrap(np.asarray(batch_sizes))
        if bs._data.ndim != 1 or bs._data.dtype.kind not in "iu":
            raise ValueError(f"batch_sizes debe ser un tensor 1-D de enteros (int64), no {bs._data.dtype} de "
                             f"forma {tuple(bs._data.shape)}")
        return super().__new__(cls, data, bs, sorted_indices, unsorted_indices)

    # lo que PyTorch permite sobre el empaquetado: cambiar de tipo/dispositivo los datos
    def to(self, *args, **kwargs):
        """El mismo empaquetado con ``data`` convertido (``dtype``, dispositivo), como ``Tensor.to``."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                            self.unsorted_indices)

    def cpu(self):
        """El propio empaquetado (ya está en la CPU)."""
        return self

    def double(self):
        """El empaquetado con ``data`` en float64."""
        return self.to(dtype=np.float64)

    def float(self):
        """El empaquetado con ``data`` en float32."""
        return self.to(dtype=np.float32)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        """``False`` (no hay memoria fijada sin GPU)."""
        return False


def invert_permutation(permutation):
    """La permutación inversa (``out[p[i]] = i``); ``None`` → ``None``.

    Args:
        permutation: tensor 1-D de enteros con una permutación (o ``None``).

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import invert_permutation
        >>> invert_permutation(torch.tensor([2, 0, 1]))
        tensor([1, 2, 0])

    En PyTorch: ``torch.nn.utils.rnn.invert_permutation``.
    """
    if permutation is None:
        return None
    p = permutation._data if isinstance(permutation, TensorBase) else np.asarray(permutation)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._wrap(out.astype(np.int64))


def _lengths(lengths, batch):
    a = lengths._data if isinstance(lengths, TensorBase) else np.asarray(lengths)
    if a.ndim != 1:
        raise ValueError(f"lengths debe ser una lista o un tensor 1-D con una longitud por secuencia, no de forma "
                         f"{tuple(a.shape)}")
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
            raise ValueError(f"lengths debe contener enteros, no {a.tolist()}")
    elif a.dtype.kind not in "iub":
        raise TypeError(f"lengths debe contener enteros, no {a.dtype}")
    a = a.astype(np.int64)
    if a.size != batch:
        raise RuntimeError(f"len(lengths) = {a.size} debe ser igual al tamaño del lote ({batch})")
    if a.size and a.min() <= 0:
        raise RuntimeError(f"todas las longitudes deben ser > 0, y lengths contiene {int(a.min())}")
    return a


def packed_index(batch_sizes) -> np.ndarray:
    """Para cada fila de ``data`` empaquetado, su posición ``t·B + b`` en la versión rellenada (T, B)."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    B = int(bs[0]) if bs.size else 0
    return np.concatenate([t * B + np.arange(n) for t, n in enumerate(bs)]) if bs.size else np.zeros(0, np.int64)


def padded_index(batch_sizes) -> np.ndarray:
    """Para cada posición (t, b) de la versión rellenada, su fila de ``data`` (o −1 si es relleno)."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    B = int(bs[0]) if bs.size else 0
    idx = np.full(bs.size * B, -1, dtype=np.int64)
    idx[packed_index(bs)] = np.arange(int(bs.sum()))
    return idx


def packed_to_padded(data, batch_sizes):
    """``data`` (N, *) empaquetado → (T, B, *) con ceros en el relleno (diferenciable)."""
    bs = np.asarray(batch_sizes._data if isinstance(batch_sizes, TensorBase) else batch_sizes, dtype=np.int64)
    B = int(bs[0])
    rows = Rows.apply(data, index=padded_index(bs))
    return rows.reshape((bs.size, B) + tuple(data.shape[1:]))


def padded_to_packed(x, batch_sizes):
    """(T, B, *) rellenado → ``data`` (N, *) empaquetado (diferenciable)."""
    bs = np.asarray(batch_sizes._data if isinstance(batch_sizes, TensorBase) else batch_sizes, dtype=np.int64)
    flat = x.reshape((x.shape[0] * x.shape[1],) + tuple(x.shape[2:]))
    return Rows.apply(flat, index=packed_index(bs))


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True) -> PackedSequence:
    """Empaqueta un lote rellenado con las longitudes reales de cada secuencia.

    Args:
        input: ``(T, B, *)`` (o ``(B, T, *)`` con ``batch_first``).
        lengths: longitudes de las B secuencias (lista o tensor 1-D).
        batch_first: el lote va en el eje 0 (``False``).
        enforce_sorted: si es ``True`` (por defecto), las longitudes deben venir de mayor a menor; con
            ``False`` se ordena aquí y se guarda la permutación.

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pack_padded_sequence
        >>> x = torch.tensor([[4., 5., 0.], [1., 2., 3.]])
        >>> pack_padded_sequence(x, [2, 3], batch_first=True, enforce_sorted=False).batch_sizes
        tensor([2, 2, 1])

    En PyTorch: ``torch.nn.utils.rnn.pack_padded_sequence``.
    """
    x = input if isinstance(input, Tensor) else Tensor(input)
    if x.ndim < 2:
        raise ValueError(f"pack_padded_sequence: la entrada debe tener al menos 2 dimensiones (T, B, *), no forma "
                         f"{tuple(x.shape)}")
    if batch_first:
        x = x.transpose(0, 1)
    T, B = x.shape[0], x.shape[1]
    lens = _lengths(lengths, B)
    sorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` debe estar ordenado de mayor a menor con enforce_sorted=True (recibido "
                               f"{lens.tolist()}). Pasa enforce_sorted=False a pack_padded_sequence o "
                               "pack_sequence si no lo necesitas ordenado")
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = Tensor._wrap(order.astype(np.int64))
        lens = lens[order]
        x = x.index_select(1, sorted_indices)
    if lens.size and lens[0] > T:
        raise RuntimeError(f"pack_padded_sequence: una longitud ({int(lens[0])}) es mayor que el número de pasos "
                           f"de la entrada ({T})")
    batch_sizes = np.array([(lens > t).sum() for t in range(int(lens[0]) if lens.size else 0)], dtype=np.int64)
    data = padded_to_packed(x[:batch_sizes.size], batch_sizes)
    return PackedSequence(data, Tensor._wrap(batch_sizes), sorted_indices, invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Lo contrario de ``pack_padded_sequence``: devuelve ``(rellenado, lengths)`` con el lote en su orden
    original.

    Args:
        sequence: un ``PackedSequence``.
        batch_first: devolver ``(B, T, *)`` en vez de ``(T, B, *)`` (``False``).
        padding_value: valor del relleno (``0.0``).
        total_length: alarga el relleno hasta esa longitud (``None``: la más larga).

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> pad_packed_sequence(pack_sequence([torch.tensor([1., 2., 3.]), torch.tensor([4., 5.])]), batch_first=True)
        (tensor([[1., 2., 3.],
                [4., 5., 0.]]), tensor([3, 2]))

    En PyTorch: ``torch.nn.utils.rnn.pad_packed_sequence``.
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence espera un PackedSequence, no {type(sequence).__name__}")
    bs = sequence.batch_sizes._data.astype(np.int64)
    T = bs.size
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"total_length debe ser al menos la longitud de la secuencia más larga: se recibió "
                             f"total_length={total_length} y la más larga mide {T}")
    out = packed_to_padded(sequence.data, bs)
    lengths = np.array([(bs > b).sum() for b in range(int(bs[0]) if T else 0)], dtype=np.int64)
    if padding_value != 0:
        mask = (np.arange(T)[:, None] >= lengths[None, :]).reshape((T, lengths.size) + (1,) * (out.ndim - 2))
        out = out.masked_fill(Tensor._wrap(np.broadcast_to(mask, out.shape).copy()), padding_value)
    if total_length is not None and total_length > T:
        extra = np.full((total_length - T,) + tuple(out.shape[1:]), padding_value, dtype=out._data.dtype)
        out = cat([out, Tensor._wrap(extra)], 0)
    if sequence.unsorted_indices is not None:
        out = out.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    if batch_first:
        out = out.transpose(0, 1)
    return out, Tensor._wrap(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right") -> Tensor:
    """Apila secuencias ``(L_i, *)`` de longitudes distintas en ``(T, B, *)`` (o ``(B, T, *)``), con T la
    más larga, rellenando con ``padding_value``.

    Args:
        sequences: lista de tensores ``(L_i, *)``.
        batch_first: salida ``(B, T, *)`` (``False``).
        padding_value: valor del relleno (``0.0``).
        padding_side: ``'right'`` (por defecto) o ``'left'``.

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pad_sequence
        >>> pad_sequence([torch.tensor([1., 2., 3.]), torch.tensor([4., 5.])], batch_first=True)
        tensor([[1., 2., 3.],
                [4., 5., 0.]])

    En PyTorch: ``torch.nn.utils.rnn.pad_sequence``.
    """
    if isinstance(sequences, TensorBase):
        sequences = list(sequences.unbind(0))
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("pad_sequence: se recibió una lista vacía de secuencias")
    if padding_side not in ("left", "right"):
        raise ValueError(f"padding_side debe ser 'left' o 'right', no {padding_side!r}")
    seqs = [s if isinstance(s, Tensor) else Tensor(s) for s in seqs]
    tail = tuple(seqs[0].shape[1:])
    for i, s in enumerate(seqs):
        if s.ndim == 0 or tuple(s.shape[1:]) != tail:
            raise RuntimeError(f"pad_sequence: todas las secuencias deben tener la forma (L, {tail}) salvo la "
                               f"longitud; la {i} tiene forma {tuple(s.shape)}")
    T = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        n = T - s.shape[0]
        spec = [0, 0] * len(tail) + ([0, n] if padding_side == "right" else [n, 0])
        padded.append(pad(s, spec, value=padding_value) if n else s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True) -> PackedSequence:
    """Empaqueta una lista de secuencias ``(L_i, *)``: ``pack_padded_sequence(pad_sequence(seqs), longitudes)``.

    Args:
        sequences: lista de tensores ``(L_i, *)``.
        enforce_sorted: las secuencias deben venir de la más larga a la más corta (``True``).

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pack_sequence
        >>> pack_sequence([torch.tensor([1., 2., 3.]), torch.tensor([4., 5.])]).data
        tensor([1., 4., 2., 5., 3.])

    En PyTorch: ``torch.nn.utils.rnn.pack_sequence``.
    """
    seqs = list(sequences)
    lengths = [s.shape[0] for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False) -> list:
    """Lo contrario de ``pad_sequence``: la lista de secuencias sin relleno.

    Args:
        padded_sequences: ``(T, B, *)`` (o ``(B, T, *)`` con ``batch_first``).
        lengths: longitud de cada secuencia.
        batch_first: el lote va en el eje 0 (``False``).

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import unpad_sequence
        >>> unpad_sequence(torch.tensor([[1., 4.], [2., 5.], [3., 0.]]), torch.tensor([3, 2]))
        [tensor([1., 2., 3.]), tensor([4., 5.])]

    En PyTorch: ``torch.nn.utils.rnn.unpad_sequence``.
    """
    x = padded_sequences if not batch_first else padded_sequences.transpose(0, 1)
    lens = _lengths(lengths, x.shape[1])
    return [x[:int(n), i] for i, n in enumerate(lens)]


def unpack_sequence(packed_sequences) -> list:
    """Lo contrario de ``pack_sequence``: la lista de secuencias, en su orden original.

    Args:
        packed_sequences: un ``PackedSequence``.

    Ejemplo:
        >>> from tinygrad_es.nn.utils.rnn import pack_sequence, unpack_sequence
        >>> unpack_sequence(pack_sequence([torch.tensor([1., 2.]), torch.tensor([3.])]))
        [tensor([1., 2.]), tensor([3.])]

    En PyTorch: ``torch.nn.utils.rnn.unpack_sequence``.
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
