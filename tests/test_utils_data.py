"""torch.utils.data en tinygrad_es: conjuntos, muestreadores, default_collate y el DataLoader
(también con procesos de carga), comparados con PyTorch cuando está instalado."""
import collections
import os
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es.utils import data as D

try:
    import torch
    import torch.utils.data as TD
except ImportError:  # pragma: no cover
    torch = TD = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")


def arr(t):
    if isinstance(t, np.ndarray):
        return t
    return np.asarray(t._data if hasattr(t, "_data") else t.numpy())


def gen(seed):
    return tg.Generator().manual_seed(seed) if hasattr(tg, "Generator") else np.random.default_rng(seed)


def plain(x):
    """Tensores (nuestros o de torch) -> (dtype, lista); contenedores recursivos."""
    if isinstance(x, tg.Tensor):
        a = arr(x)
        return ("T", str(a.dtype), a.tolist())
    if torch is not None and isinstance(x, torch.Tensor):
        a = x.numpy()
        return ("T", str(a.dtype), a.tolist())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, dict):
        return ("dict", {k: plain(v) for k, v in x.items()})
    return x


# --------------------------------------------------------------------------------------
# conjuntos
# --------------------------------------------------------------------------------------
def test_tensor_dataset_items_are_tuples():
    X = tg.Tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    ds1 = D.TensorDataset(X)
    item = ds1[2]
    assert isinstance(item, tuple) and len(item) == 1 and arr(item[0]).tolist() == [4.0, 5.0]
    ds2 = D.TensorDataset(X, np.arange(6))
    x, y = ds2[5]
    assert arr(x).tolist() == [10.0, 11.0] and int(arr(y)) == 5 and arr(y).dtype == np.int64 and len(ds2) == 6
    with pytest.raises(ValueError, match="mismo tamaño en la dimensión 0"):
        D.TensorDataset(X, np.arange(5))
    with pytest.raises(ValueError, match="al menos una dimensión"):
        D.TensorDataset(np.float32(1.0))


def test_subset_concat_stack_chain():
    a, b = D.TensorDataset(np.arange(3)), D.TensorDataset(np.arange(10, 14))
    c = a + b
    assert isinstance(c, D.ConcatDataset) and len(c) == 7 and c.cumulative_sizes == [3, 7]
    assert [int(arr(c[i][0])) for i in range(7)] == [0, 1, 2, 10, 11, 12, 13] and int(arr(c[-1][0])) == 13
    with pytest.raises(ValueError, match="supera la longitud"):
        c[-8]
    with pytest.raises(IndexError):
        c[7]
    with pytest.raises(ValueError, match="vacía"):
        D.ConcatDataset([])
    s = D.Subset(c, [6, 0])
    assert len(s) == 2 and int(arr(s[0][0])) == 13 and [int(arr(v[0])) for v in s.__getitems__([1, 0])] == [0, 13]
    st_ = D.StackDataset(a, D.TensorDataset(np.arange(3) * 2))
    assert int(arr(st_[2][1][0])) == 4
    assert int(arr(D.StackDataset(x=a)[1]["x"][0])) == 1

    class Count(D.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))
    assert list(Count(2) + Count(3)) == [0, 1, 0, 1, 2]
    with pytest.raises(TypeError, match="IterableDataset"):
        D.ConcatDataset([a, Count(2)])


@pytest.mark.parametrize("n, lengths", [(10, [0.33, 0.33, 0.34]), (10, [0.5, 0.5]), (7, [0.8, 0.2]),
                                        (100, [0.7, 0.2, 0.1]), (5, [2, 3]), (3, [0.1, 0.9]), (4, [0, 4])])
def test_random_split_sizes_like_torch(n, lengths):
    parts = D.random_split(D.TensorDataset(np.arange(n)), lengths, generator=gen(0))
    sizes = [len(p) for p in parts]
    assert sum(sizes) == n and sorted(i for p in parts for i in p.indices) == list(range(n))
    if torch is not None:
        ref = TD.random_split(TD.TensorDataset(torch.arange(n)), lengths, generator=torch.Generator().manual_seed(0))
        assert sizes == [len(p) for p in ref]


def test_random_split_reproducible_and_errors():
    ds = D.TensorDataset(np.arange(50))
    a = D.random_split(ds, [0.8, 0.2], generator=gen(3))
    b = D.random_split(ds, [0.8, 0.2], generator=gen(3))
    assert a[0].indices == b[0].indices and isinstance(a[0].indices, list)
    with pytest.raises(ValueError, match="suman 40"):
        D.random_split(ds, [30, 10])
    with pytest.raises(ValueError, match="enteros"):
        D.random_split(ds, [25.5, 24.5])


# --------------------------------------------------------------------------------------
# muestreadores
# --------------------------------------------------------------------------------------
def test_samplers():
    data = list(range(10))
    assert list(D.SequentialSampler(data)) == data
    r = list(D.RandomSampler(data, generator=gen(0)))
    assert sorted(r) == data and r != data and len(D.RandomSampler(data)) == 10
    r = list(D.RandomSampler(data, num_samples=25, generator=gen(1)))
    assert len(r) == 25 and collections.Counter(r[:20]) == collections.Counter(data * 2)
    r = list(D.RandomSampler(data, replacement=True, num_samples=200, generator=gen(2)))
    assert len(r) == 200 and set(r) <= set(data) and len(set(r)) == 10
    with pytest.raises(ValueError, match="num_samples debe ser un entero positivo"):
        D.RandomSampler(data, num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        D.RandomSampler(data, replacement=1)
    s = list(D.SubsetRandomSampler([3, 5, 7], generator=gen(0)))
    assert sorted(s) == [3, 5, 7]
    w = list(D.WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=gen(0)))
    cnt = collections.Counter(w)
    assert cnt[0] == 0 and 0.7 < cnt[2] / 4000 < 0.8
    assert sorted(D.WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=gen(0))) == [0, 1, 2]
    with pytest.raises(ValueError, match="sólo 3 pesos no nulos"):
        D.WeightedRandomSampler([1, 1, 1, 0], 4, replacement=False)
    with pytest.raises(ValueError, match="1-D"):
        D.WeightedRandomSampler(np.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="no negativos"):
        D.WeightedRandomSampler([1, -1], 2)


@given(st.integers(0, 30), st.integers(1, 8), st.booleans())
def test_batch_sampler_like_torch(n, bs, drop_last):
    mine = D.BatchSampler(range(n), bs, drop_last)
    expect = [list(range(i, min(i + bs, n))) for i in range(0, n, bs)]
    if drop_last and expect and len(expect[-1]) < bs:
        expect = expect[:-1]
    assert list(mine) == expect and len(mine) == len(expect)
    if TD is not None:
        assert list(TD.BatchSampler(range(n), bs, drop_last)) == expect


def test_batch_sampler_validation():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="batch_size debe ser un entero positivo"):
            D.BatchSampler(range(3), bad, False)
    with pytest.raises(TypeError, match="drop_last"):
        D.BatchSampler(range(3), 2, 0)


# --------------------------------------------------------------------------------------
# default_collate
# --------------------------------------------------------------------------------------
P = collections.namedtuple("P", "x y")
CASES = [
    [1, 2, 3], [1.5, 2.0], [True, False], [1, 2.5], ["a", "b"],
    [np.float32(1), np.float32(2)], [np.int32(1), np.int32(2)], [np.ones(2, np.float32), np.zeros(2, np.float32)],
    [(1, "a", 2.5), (2, "b", 3.5)], [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    [P(1, 2.0), P(3, 4.0)], [[np.arange(3), 1], [np.arange(3), 2]],
]


@pytest.mark.parametrize("batch", CASES, ids=range(len(CASES)))
def test_default_collate_like_torch(batch):
    mine = D.default_collate(batch)
    if torch is None:
        pytest.skip("sin PyTorch para comparar")
    ref = TD.default_collate(batch)
    assert plain(mine) == plain(ref)


def test_default_collate_tensors_and_errors():
    t = [tg.Tensor(np.ones(3, np.float32)) for _ in range(4)]
    out = D.default_collate(t)
    assert arr(out).shape == (4, 3) and arr(out).dtype == np.float32
    with pytest.raises(RuntimeError, match=r"formas distintas: \[3\] en la posición 0 y \[2\] en la 1"):
        D.default_collate([tg.Tensor(np.ones(3)), tg.Tensor(np.ones(2))])
    with pytest.raises(RuntimeError, match="mismo número de elementos"):
        D.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: el lote debe contener"):
        D.default_collate([object(), object()])
    with pytest.raises(TypeError, match="<U1"):
        D.default_collate([np.array(["a"]), np.array(["b"])])
    w = tg.Tensor(np.ones(2), requires_grad=True)
    g = D.default_collate([w, w * 2])
    g.sum().backward()  # apilar tensores con gradiente conserva el grafo
    assert arr(w.grad).tolist() == [3.0, 3.0]
    conv = D.default_convert({"a": np.ones(2), "b": (np.zeros(1), "s")})
    assert isinstance(conv["a"], tg.Tensor) and isinstance(conv["b"], list) and conv["b"][1] == "s"


# --------------------------------------------------------------------------------------
# DataLoader: argumentos, longitud, orden
# --------------------------------------------------------------------------------------
class Iter(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n


BAD = [dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
       dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
       dict(batch_sampler=[[0]], drop_last=True), dict(batch_sampler=[[0]], sampler=[0]), dict(batch_size=None, drop_last=True),
       dict(num_workers=1, prefetch_factor=-1), dict(batch_size=0)]


@pytest.mark.parametrize("kw", BAD, ids=[",".join(k) for k in BAD])
def test_dataloader_validation_like_torch(kw):
    ds = D.TensorDataset(np.arange(4))
    with pytest.raises(ValueError) as ei:
        D.DataLoader(ds, **kw)
    assert any(w in str(ei.value) for w in ("debe", "excluyente", "necesita", "sólo tiene sentido"))
    if torch is not None:
        with pytest.raises(ValueError):
            TD.DataLoader(TD.TensorDataset(torch.arange(4)), **kw)


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_dataloader_iterable_validation_like_torch(kw):
    with pytest.raises(ValueError, match="IterableDataset"):
        D.DataLoader(Iter(4), **kw)
    if torch is not None:
        class TIter(TD.IterableDataset):
            def __iter__(self):
                return iter(range(4))
        with pytest.raises(ValueError):
            TD.DataLoader(TIter(), **kw)


def test_dataloader_attributes_frozen():
    dl = D.DataLoader(D.TensorDataset(np.arange(4)), batch_size=2)
    with pytest.raises(ValueError, match="batch_size no se puede cambiar"):
        dl.batch_size = 3
    dl.num_workers = 0  # éste sí se puede


@given(st.integers(0, 25), st.one_of(st.none(), st.integers(1, 7)), st.booleans())
def test_len_and_batches_like_torch(n, bs, drop_last):
    if bs is None and drop_last:
        return
    X = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    dl = D.DataLoader(D.TensorDataset(X, np.arange(n)), batch_size=bs, drop_last=drop_last)
    got = [plain(b) for b in dl]
    assert len(got) == len(dl)
    assert len(D.DataLoader(Iter(n), batch_size=bs, drop_last=drop_last)) == len(dl)
    if torch is not None:
        ref = TD.DataLoader(TD.TensorDataset(torch.tensor(X), torch.arange(n)), batch_size=bs, drop_last=drop_last)
        assert len(ref) == len(dl) and got == [plain(b) for b in ref]


def test_shuffle_reproducible_and_reshuffles_each_epoch():
    ds = D.TensorDataset(np.arange(20))
    tg.manual_seed(5)
    a = [arr(b[0]).tolist() for b in D.DataLoader(ds, batch_size=20, shuffle=True)]
    tg.manual_seed(5)
    b = [arr(b[0]).tolist() for b in D.DataLoader(ds, batch_size=20, shuffle=True)]
    assert a == b and sorted(a[0]) == list(range(20)) and a[0] != list(range(20))
    dl = D.DataLoader(ds, batch_size=20, shuffle=True, generator=gen(1))
    e1, e2 = [arr(next(iter(dl))[0]).tolist() for _ in range(2)]
    assert e1 != e2
    dl2 = D.DataLoader(ds, batch_size=20, shuffle=True, generator=gen(1))
    assert arr(next(iter(dl2))[0]).tolist() == e1


def test_dataset_of_dicts_and_custom_collate():
    class Dicts(D.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float32), "label": i, "name": f"m{i}"}
    b = next(iter(D.DataLoader(Dicts(), batch_size=3)))
    assert arr(b["x"]).shape == (3, 2) and arr(b["label"]).dtype == np.int64 and b["name"] == ["m0", "m1", "m2"]
    sizes = [len(b) for b in D.DataLoader(Dicts(), batch_size=2, collate_fn=lambda items: items)]
    assert sizes == [2, 2, 1]
    items = list(D.DataLoader(Dicts(), batch_size=None))
    assert len(items) == 5 and isinstance(items[0]["x"], tg.Tensor) and items[0]["label"] == 0


# --------------------------------------------------------------------------------------
# DataLoader con procesos de carga
# --------------------------------------------------------------------------------------
class Slow(D.Dataset):
    """Cada muestra tarda: devuelve (índice, pid, inicio, fin) para comprobar el paralelismo."""

    def __init__(self, n=24, delay=0.02, fail_at=None, die_at=None):
        self.n, self.delay, self.fail_at, self.die_at = n, delay, fail_at, die_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise KeyError(f"muestra {i} corrupta")
        if i == self.die_at:
            os._exit(3)
        t0 = time.time()
        time.sleep(self.delay)
        return np.array([i, os.getpid(), t0, time.time()])


def test_workers_same_batches_and_real_parallelism():
    ref = [arr(b)[:, 0].tolist() for b in D.DataLoader(Slow(), batch_size=4)]
    got = [arr(b) for b in D.DataLoader(Slow(), batch_size=4, num_workers=2)]
    assert [g[:, 0].tolist() for g in got] == ref  # mismo orden que sin workers
    pids = {int(p) for g in got for p in g[:, 1]}
    assert len(pids) == 2 and os.getpid() not in pids
    spans = {pid: [(g[k, 2], g[k, 3]) for g in got for k in range(len(g)) if int(g[k, 1]) == pid] for pid in pids}
    a, b = spans.values()
    overlap = sum(max(0.0, min(x1, y1) - max(x0, y0)) for x0, x1 in a for y0, y1 in b)
    assert overlap > 0.1  # las muestras de los dos procesos se cargaron a la vez
    g1 = [arr(b)[:, 0].tolist() for b in D.DataLoader(Slow(12, 0), batch_size=3, shuffle=True, generator=gen(4))]
    g2 = [arr(b)[:, 0].tolist() for b in D.DataLoader(Slow(12, 0), batch_size=3, shuffle=True, generator=gen(4),
                                                      num_workers=2)]
    assert g1 == g2


def test_worker_error_names_index_and_does_not_hang():
    t0 = time.time()
    with pytest.raises(KeyError, match="worker .* índice 13: KeyError: 'muestra 13 corrupta'"):
        list(D.DataLoader(Slow(fail_at=13, delay=0), batch_size=4, num_workers=2))
    with pytest.raises(RuntimeError, match="terminó inesperadamente"):
        list(D.DataLoader(Slow(die_at=5, delay=0), batch_size=2, num_workers=2))
    with pytest.raises(RuntimeError, match="tiempo de espera"):
        list(D.DataLoader(Slow(n=4, delay=3), batch_size=4, num_workers=1, timeout=0.5))
    assert time.time() - t0 < 20


def test_worker_init_fn_info_and_persistent_workers(tmp_path):
    def init(wid):
        info = D.get_worker_info()
        (tmp_path / f"w{wid}").write_text(f"{info.id} {info.num_workers}")
    dl = D.DataLoader(Slow(8, 0), batch_size=2, num_workers=2, worker_init_fn=init, persistent_workers=True)
    p1 = {int(p) for b in dl for p in arr(b)[:, 1]}
    p2 = {int(p) for b in dl for p in arr(b)[:, 1]}
    assert p1 == p2 and len(p1) == 2  # los mismos procesos en las dos épocas
    assert sorted(f.read_text() for f in tmp_path.iterdir()) == ["0 2", "1 2"]
    assert D.get_worker_info() is None
    half = iter(dl)
    next(half)  # época a medias: la siguiente empieza de cero
    assert [arr(b)[:, 0].tolist() for b in dl] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    dl._iterator.shutdown()


def test_iterable_dataset_with_workers_shards():
    single = sorted(int(v) for b in D.DataLoader(Iter(10), batch_size=3) for v in arr(b))
    multi = [arr(b).tolist() for b in D.DataLoader(Iter(10), batch_size=3, num_workers=2)]
    assert single == list(range(10)) and sorted(v for b in multi for v in b) == list(range(10))
    assert multi[0] == [0, 2, 4] and multi[1] == [1, 3, 5]  # turno rotatorio entre workers, como PyTorch
