"""Núcleos paralelos: un ``prange`` repartido entre hilos de Python, sin el compilador paralelo de numba.

Cada núcleo paralelo se escribe con ``@njit(parallel=True)`` y un bucle ``prange`` (así se lee y así
lo ejecuta numba si se desactiva todo esto). ``parallel_kernel`` lo envuelve y, la primera vez que
se llama, lo **reescribe** si tiene la forma habitual::

    def nucleo(x, ..., out):
        n, c = x.shape[0], x.shape[1]          # prólogo: cuentas de formas y reservas
        out = np.empty(...)
        for p in prange(n * c):                 # el único prange, al nivel de la función
            ...                                 # cada iteración escribe lo suyo
        return out                              # nombres del prólogo (o nada)

El prólogo y el ``return`` se ejecutan en Python (una función generada con el mismo código, una vez
antes y después del bucle, como en la versión secuencial) y el bucle pasa a ser
``nucleo__trozo(..., _n_, _ctl_, _nk_, ...)``, compilado **sin** ``parallel`` y con ``nogil``: cada
hilo toma bloques de iteraciones de un contador atómico (``_ctl_``) hasta que no quedan. Los bloques
son «guiados» (lo que queda entre ``2·nk``, hasta una iteración): el hilo que llama empieza en
seguida y el de la reserva, que tarda en despertar (futex, GIL, desempaquetar los argumentos), toma
menos; los dos acaban casi a la vez. Quien llama espera en activo unos µs a que acabe el último
bloque ajeno (en vez de dormirse y que lo despierten), y si la reserva ni empezó, no la espera.
``nk = numba.get_num_threads()``. Cada iteración hace las mismas operaciones en el mismo orden que
en ``prange``, haga quien la haga: el resultado es el mismo bit a bit con 1 o 2 hilos.

Por qué: el compilador paralelo de numba (parfor) es la parte lenta de compilar. Medido (tiempo de
CPU, caché vacía, el paso de la CNN del curso): 39 s con ``parallel=True`` frente a 22 s compilando
los mismos bucles en secuencia. Repartir cuesta ~2 µs de CPU por llamada con 1 hilo y ~5 µs con 2
(núcleo diminuto; numba sin hilos, 1,6 µs), más lo que tarde en despertar el hilo de la reserva.

Los núcleos que no tienen esa forma (dos ``prange``, bucles en el prólogo...) siguen con el
``parallel=True`` de numba, con las precauciones de antes:

* hilos: la capa ``workqueue`` de numba no admite dos regiones paralelas a la vez (aborta el
  proceso: "Concurrent access has been detected"); entonces se toma un cerrojo del módulo (con
  ``omp`` o ``tbb`` no hace falta);
* ``fork``: GNU OpenMP no sobrevive a un ``fork`` si el padre ya lanzó regiones paralelas; en ese
  hijo (los workers del DataLoader) los núcleos corren sin hilos.

``TINYGRAD_ES_PRANGE_NUMBA=1`` desactiva la reescritura (todo con el ``parallel=True`` de numba).
"""
import ast
import inspect
import os
import textwrap
import threading

import numba

from . import _pool, _rewrite_cache
from ._pool import _POOL, _done, _ring, _run, _state, _take, _wait  # noqa: F401  (_POOL: lo usan otros módulos)

_LOCK = threading.RLock()
_SAFE_LAYERS = ("tbb", "omp")
_needs_lock = None  # se decide tras la primera región paralela (antes numba no sabe qué capa usará)


def _layer():
    try:
        return numba.threading_layer()
    except ValueError:  # aún sin inicializar
        return None


# ---- la reescritura ---------------------------------------------------------------------
class _Chunked:
    """El núcleo reescrito: ``call`` (Python: prólogo, reparto del bucle y ``return``) y ``trozo``
    (numba, ``nogil``: los bloques del bucle)."""
    __slots__ = ("call", "trozo", "loop_args")

    def __init__(self, call, trozo, loop_args):
        self.call, self.trozo, self.loop_args = call, trozo, loop_args


def _is_prange_loop(node):
    return (isinstance(node, ast.For) and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Name) and node.iter.func.id == "prange")


def _simple_return(node):
    """Un ``return`` sin bucles (se evalúa en Python tras el bucle: ``out``, ``out, idx``,
    ``dx.reshape(...)``)."""
    return not any(isinstance(n, (ast.For, ast.While, ast.Lambda, ast.comprehension)) for n in ast.walk(node))


def chunk_source(py_func):
    """``(prólogo, bucle, return, parámetros)`` como árboles ``ast``, o el motivo (``str``) por el
    que el núcleo no se puede reescribir."""
    if py_func.__closure__ or py_func.__defaults__ or py_func.__kwdefaults__:
        return "clausura o valores por defecto"
    try:
        src = textwrap.dedent(inspect.getsource(py_func))
    except (OSError, TypeError):
        return "sin código fuente"
    fdef = ast.parse(src).body[0]
    if not isinstance(fdef, ast.FunctionDef):
        return "no es una función"
    a = fdef.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return "argumentos especiales"
    loops = [n for n in ast.walk(fdef) if _is_prange_loop(n)]
    if len(loops) != 1 or loops[0] not in fdef.body:
        return "no hay un único prange al nivel de la función"
    loop = loops[0]
    if len(loop.iter.args) != 1 or loop.iter.keywords or loop.orelse:
        return "prange con varios argumentos"
    i = fdef.body.index(loop)
    pre, post = fdef.body[:i], fdef.body[i + 1:]
    if pre and isinstance(pre[0], ast.Expr) and isinstance(pre[0].value, ast.Constant):
        pre = pre[1:]  # docstring
    for st in pre:  # el prólogo corre en Python: sólo asignaciones sin bucles
        if not isinstance(st, ast.Assign) or any(isinstance(n, (ast.For, ast.While, ast.Lambda, ast.comprehension))
                                                 for n in ast.walk(st)):
            return "el prólogo no es sólo asignaciones"
    if len(post) > 1 or (post and not (isinstance(post[0], ast.Return) and _simple_return(post[0]))):
        return "después del bucle hay más que un return"
    return fdef, pre, loop, (post[0] if post else None), [p.arg for p in a.args]


def _name(n, store=False):
    return ast.Name(n, ast.Store() if store else ast.Load())


def _call(fn, *args):
    return ast.Call(_name(fn), list(args), [])


# lo que el bucle reescrito usa, con nombres que no pisan los del núcleo
_HELPERS = {"_reparto_toma_": _take, "_reparto_hecho_": _done, "_reparto_espera_": _wait, "_reparto_timbre_": _ring}


# la forma de la reescritura y del reparto: si cambia, la reescritura guardada y la caché de numba de
# los trozos (que llaman a _take/_done/... de _pool.py) dejan de valer (_rewrite_cache.py)
_POOL_STAMP = _rewrite_cache.file_hash(_pool.__file__)
_STAMP = _rewrite_cache.file_hash(__file__, _pool.__file__)


def _build(kernel):
    """La versión por trozos (numba la compila perezosa, en la primera llamada), o ``None``.

    ``trozo(params..., nombres del prólogo..., _n_, _ctl_, _nk_, _espera_, _timbre_)``::

        _reparto_timbre_(_timbre_)
        _lo_, _hi_ = _reparto_toma_(_ctl_, _n_, _nk_)
        while _lo_ < _n_:
            for p in range(_lo_, _hi_):
                <cuerpo del prange>
            _reparto_hecho_(_ctl_, _hi_ - _lo_)
            _lo_, _hi_ = _reparto_toma_(_ctl_, _n_, _nk_)
        return _reparto_espera_(_ctl_, _n_, _espera_)

    y ``call(params...)``, una función de Python: ``<prólogo>; _run(trozo, <n del prange>,
    (params..., nombres...)); return <lo del return>``. La reescritura se guarda en disco junto a la
    caché de numba (``_rewrite_cache.py``)."""
    py_func = kernel.py_func
    saved = _rewrite_cache.load(kernel, _STAMP)
    if saved is None:
        saved = _rewrite(py_func) or False
        _rewrite_cache.save(kernel, _STAMP, *(saved or (None, ())))
    if saved is False:
        return None
    code, loop_args = saved
    name = f"{py_func.__name__}__trozo"
    ns = {}
    exec(code, dict(py_func.__globals__, **_HELPERS), ns)  # el trozo (numba congela sus globales)
    opts = {k_: v for k_, v in kernel.targetoptions.items() if k_ not in ("parallel", "nopython")}
    cache = type(kernel._cache).__name__ != "NullCache"
    trozo = numba.njit(nogil=True, cache=cache, **opts)(ns[name])
    stamp = getattr(getattr(trozo, "_cache", None), "_cache_file", None)
    if hasattr(stamp, "_source_stamp"):  # numba sólo mira el fichero del núcleo; el trozo usa también _pool.py
        stamp._source_stamp = (stamp._source_stamp, _POOL_STAMP)
    ns = {}
    exec(code, py_func.__globals__, ns)  # la llamada, con las globales vivas del módulo
    return _Chunked(ns["_fabrica_"](trozo, _run), trozo, loop_args)


def _rewrite(py_func):
    """``(code, loop_args)``: el módulo generado (el trozo y la fábrica de la llamada) compilado a
    ``bytecode``, con las líneas del fichero de verdad, o ``None`` si no tiene la forma."""
    parts = chunk_source(py_func)
    if isinstance(parts, str):
        return None
    fdef, pre, loop, ret, params = parts
    lineno = py_func.__code__.co_firstlineno
    filename = py_func.__code__.co_filename
    # nombres que el bucle lee: parámetros y lo que define el prólogo
    defined = set(params)
    for st in pre:
        for t in st.targets:
            defined.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    used = {n.id for n in ast.walk(loop) if isinstance(n, ast.Name)}
    loop_args = sorted((used & defined) - set(params))
    n_, ctl, nk = _name("_n_"), _name("_ctl_"), _name("_nk_")
    lohi = ast.Tuple([_name("_lo_", True), _name("_hi_", True)], ast.Store())
    take = ast.Assign([lohi], _call("_reparto_toma_", ctl, n_, nk))
    inner = ast.For(loop.target, _call("range", _name("_lo_"), _name("_hi_")), loop.body, [])
    done = ast.Expr(_call("_reparto_hecho_", ctl, ast.BinOp(_name("_hi_"), ast.Sub(), _name("_lo_"))))
    ring = ast.Expr(_call("_reparto_timbre_", _name("_timbre_")))
    body = [ring, take, ast.While(ast.Compare(_name("_lo_"), [ast.Lt()], [n_]), [inner, done, take], []),
            ast.Return(_call("_reparto_espera_", ctl, n_, _name("_espera_")))]
    for st in body:
        ast.copy_location(st, loop)
    name = f"{py_func.__name__}__trozo"
    targs = [ast.arg(p) for p in params + loop_args + ["_n_", "_ctl_", "_nk_", "_espera_", "_timbre_"]]
    fn = ast.copy_location(ast.FunctionDef(name, ast.arguments([], targs, None, [], [], None, []), body, []), fdef)
    # la llamada de Python: el prólogo, el reparto y el return (dentro de una fábrica que les da
    # ``_trozo_`` y ``_run_`` como variables libres: ni globales nuevas en el módulo ni dict por llamada)
    run = ast.Expr(_call("_run_", _name("_trozo_"), loop.iter.args[0],
                         ast.Tuple([_name(p) for p in params + loop_args], ast.Load())))
    ast.copy_location(run, loop)
    tail = [ast.Return(ret.value)] if ret is not None and ret.value is not None else []
    for st in tail:
        ast.copy_location(st, ret)
    caller = ast.copy_location(ast.FunctionDef(py_func.__name__, ast.arguments([], [ast.arg(p) for p in params],
                                                                                None, [], [], None, []),
                                               pre + [run] + tail, []), fdef)
    factory = ast.FunctionDef("_fabrica_", ast.arguments([], [ast.arg("_trozo_"), ast.arg("_run_")], None, [], [],
                                                         None, []), [caller, ast.Return(_name(py_func.__name__))],
                              [])
    ast.copy_location(factory, fdef)
    mod = ast.fix_missing_locations(ast.Module([fn, factory], []))
    ast.increment_lineno(mod, lineno - 1)  # las trazas y la caché de numba apuntan al fichero de verdad
    code = compile(mod, filename, "exec")
    return code, loop_args


_REWRITE = os.environ.get("TINYGRAD_ES_PRANGE_NUMBA", "0") in ("0", "", "no")


class parallel_kernel:
    """Envoltorio de un despachador ``@njit(parallel=True)``: misma llamada (argumentos
    posicionales), ``py_func`` y firmas accesibles. Reparte el ``prange`` entre hilos de Python
    (véase arriba) o, si el núcleo no tiene la forma, usa el ``parallel=True`` de numba con cerrojo
    si la capa de hilos no es segura y una versión sin hilos en un hijo de ``fork``."""

    __slots__ = ("kernel", "py_func", "__name__", "__wrapped__", "_serial", "_chunked", "__dict__")

    def __init__(self, kernel):
        self.kernel = kernel
        self.py_func = getattr(kernel, "py_func", kernel)  # con NUMBA_DISABLE_JIT=1 es la propia función
        self.__name__ = kernel.__name__
        self.__doc__ = kernel.__doc__
        self.__wrapped__ = kernel
        self._serial = None
        # None: aún sin decidir; False: con el parallel=True de numba
        self._chunked = None if _REWRITE and self.py_func is not kernel else False

    def __call__(self, *args):
        return self._call(*args)

    def _call(self, *args):  # la primera llamada: decide y deja en ``self._call`` el camino elegido
        ch = self._decide()
        self._call = ch.call if ch is not False else self._call_numba
        return self._call(*args)

    def _decide(self):
        if self._chunked is None:
            self._chunked = _build(self.kernel) or False
        return self._chunked

    def _call_numba(self, *args):
        global _needs_lock
        if _state["serial"]:
            return self._serial_kernel()(*args)
        if _needs_lock is False:
            return self.kernel(*args)
        with _LOCK:
            out = self.kernel(*args)
            if _needs_lock is None:
                _state["launched_in"] = os.getpid()
                _needs_lock = _layer() not in _SAFE_LAYERS
            return out

    def _serial_kernel(self):
        if self._serial is None:
            self._serial = numba.njit(self.py_func) if self.py_func is not self.kernel else self.kernel
        return self._serial

    @property
    def chunked(self) -> bool:
        """``True`` si el ``prange`` se reparte entre hilos de Python (la versión reescrita)."""
        return self._decide() is not False

    @property
    def signatures(self):
        ch = self._chunked
        if ch:
            return ch.trozo.signatures
        return getattr(self.kernel, "signatures", [])

    def __repr__(self):
        return f"parallel_kernel({self.__name__})"


def uses_lock() -> bool:
    """``True`` si las llamadas a los núcleos paralelos de numba se serializan con el cerrojo."""
    return _needs_lock is not False
