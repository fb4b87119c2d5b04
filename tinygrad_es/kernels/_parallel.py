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

El prólogo y el ``return`` se ejecutan en Python (una vez, antes y después del bucle, como en la
versión secuencial) y el bucle pasa a ser ``nucleo__trozo(..., _k_, _nk_)``, compilado **sin**
``parallel`` y con ``nogil``: recorre el trozo ``[k·N/nk, (k+1)·N/nk)`` (el mismo reparto estático
que hace numba). ``nk`` hilos (``numba.get_num_threads()``) lo ejecutan a la vez: el que llama hace el
trozo 0 y una reserva fija de hilos de Python el resto. Cada iteración hace las mismas operaciones
en el mismo orden que en ``prange``: el resultado es el mismo bit a bit con 1 o 2 hilos.

Por qué: el compilador paralelo de numba (parfor) es la parte lenta de compilar. Medido (tiempo de
CPU, caché vacía, el paso de la CNN del curso): 39 s con ``parallel=True`` frente a 22 s compilando
los mismos bucles en secuencia. Lanzar los trozos en hilos de Python cuesta unas decenas de µs por
llamada (frente a ~10 µs de OpenMP), nada frente a los milisegundos de estos núcleos.

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
import queue
import textwrap
import threading

import numba

_LOCK = threading.RLock()
_SAFE_LAYERS = ("tbb", "omp")
_needs_lock = None  # se decide tras la primera región paralela (antes numba no sabe qué capa usará)
_state = {"launched_in": None, "serial": False}


def _layer():
    try:
        return numba.threading_layer()
    except ValueError:  # aún sin inicializar
        return None


class _Pool:
    """Hilos de Python que ejecutan trozos de núcleos ``nogil``; uno por hilo extra, creados al
    primer uso. Varias llamadas a la vez (desde varios hilos del usuario) comparten la reserva: cada
    una espera sólo a sus trozos."""

    def __init__(self):
        self.queues = []
        self.lock = threading.Lock()

    def _grow(self, n):
        with self.lock:
            while len(self.queues) < n:
                q = queue.SimpleQueue()
                threading.Thread(target=_worker, args=(q,), daemon=True, name="tinygrad_es-nucleo").start()
                self.queues.append(q)

    def run(self, fn, args, nk):
        if len(self.queues) < nk - 1:
            self._grow(nk - 1)
        done = queue.SimpleQueue()
        for k in range(1, nk):
            self.queues[k - 1].put((fn, args, k, nk, done))
        err = None
        try:
            fn(*args, 0, nk)
        except BaseException as e:  # se espera a los demás trozos antes de propagarlo
            err = e
        for _ in range(nk - 1):
            e = done.get()
            if err is None:
                err = e
        if err is not None:
            raise err


def _worker(q):
    while True:
        fn, args, k, nk, done = q.get()
        try:
            fn(*args, k, nk)
            done.put(None)
        except BaseException as e:
            done.put(e)


_POOL = _Pool()


def _after_fork_in_child():
    global _POOL
    _POOL = _Pool()  # los hilos de la reserva no existen en el hijo
    # sólo hace falta si el padre ya inicializó OpenMP (o repartió trozos: el hijo no crea más hilos)
    if _state["launched_in"] is not None:
        _state["serial"] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ---- la reescritura ---------------------------------------------------------------------
class _Chunked:
    """El núcleo reescrito: prólogo y ``return`` en Python, el bucle en ``trozo`` (numba, nogil)."""
    __slots__ = ("params", "prologue", "loop_args", "result", "trozo")

    def __init__(self, params, prologue, loop_args, result, trozo):
        self.params, self.prologue, self.loop_args = params, prologue, loop_args
        self.result, self.trozo = result, trozo


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


def _build(kernel):
    """Compila (perezoso: numba compila en la primera llamada) la versión por trozos, o ``None``."""
    py_func = kernel.py_func
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
    it = loop.iter.args[0]
    n_it = ast.Name("_n_", ast.Load())
    k, nk = ast.Name("_k_", ast.Load()), ast.Name("_nk_", ast.Load())
    lo = ast.BinOp(ast.BinOp(k, ast.Mult(), n_it), ast.FloorDiv(), nk)
    hi = ast.BinOp(ast.BinOp(ast.BinOp(k, ast.Add(), ast.Constant(1)), ast.Mult(), n_it), ast.FloorDiv(), nk)
    new_loop = ast.copy_location(ast.For(loop.target, ast.Call(ast.Name("range", ast.Load()), [lo, hi], []),
                                         loop.body, []), loop)
    name = f"{py_func.__name__}__trozo"
    body = [ast.copy_location(ast.Assign([ast.Name("_n_", ast.Store())], it), loop.iter), new_loop]
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params + loop_args + ["_k_", "_nk_"]],
                         kwonlyargs=[], kw_defaults=[], defaults=[])
    fn = ast.copy_location(ast.FunctionDef(name, args, body, []), fdef)
    mod = ast.fix_missing_locations(ast.Module([fn], []))
    ast.increment_lineno(mod, lineno - 1)  # las trazas y la caché de numba apuntan al fichero de verdad
    ns = {}
    exec(compile(mod, filename, "exec"), py_func.__globals__, ns)
    opts = {k_: v for k_, v in kernel.targetoptions.items() if k_ not in ("parallel", "nopython")}
    cache = type(kernel._cache).__name__ != "NullCache"
    trozo = numba.njit(nogil=True, cache=cache, **opts)(ns[name])
    prologue = compile(ast.Module(pre, []), filename, "exec") if pre else None
    result = compile(ast.Expression(ret.value), filename, "eval") if ret is not None and ret.value is not None \
        else None
    return _Chunked(params, prologue, loop_args, result, trozo)


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
        ch = self._chunked
        if ch is None:
            ch = self._chunked = _build(self.kernel) or False
        if ch is not False:
            return self._call_chunked(ch, args)
        return self._call_numba(args)

    def _call_chunked(self, ch, args):
        env = dict(zip(ch.params, args))
        if ch.prologue is not None:
            exec(ch.prologue, self.py_func.__globals__, env)
        full = args + tuple(env[n] for n in ch.loop_args)
        nk = 1 if _state["serial"] else numba.get_num_threads()
        if nk <= 1:
            ch.trozo(*full, 0, 1)
        else:
            if _state["launched_in"] is None:
                _state["launched_in"] = os.getpid()
            _POOL.run(ch.trozo, full, nk)
        return eval(ch.result, self.py_func.__globals__, env) if ch.result is not None else None

    def _call_numba(self, args):
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
        if self._chunked is None:
            self._chunked = _build(self.kernel) or False
        return self._chunked is not False

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
