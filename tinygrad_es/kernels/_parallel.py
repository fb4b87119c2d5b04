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
import _thread
import ast
import inspect
import os
import platform
import queue
import textwrap
import threading
import time

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.ufunc import parallel as _numba_parallel

_LOCK = threading.RLock()
_SAFE_LAYERS = ("tbb", "omp")
_needs_lock = None  # se decide tras la primera región paralela (antes numba no sabe qué capa usará)
_state = {"launched_in": None, "serial": False}


def _layer():
    try:
        return numba.threading_layer()
    except ValueError:  # aún sin inicializar
        return None


def _num_threads():
    """``numba.get_num_threads()`` (por hilo, lo cambia ``numba.set_num_threads``) sin sus dos
    cerrojos de inicialización en cada llamada (~2 µs): tras la primera, la función de C directa."""
    n = numba.get_num_threads()
    global _num_threads
    _num_threads = getattr(_numba_parallel, "_get_num_threads", numba.get_num_threads)
    return n


# ---- el reparto de un bucle entre hilos (atómicos sobre ``ctl = [tomadas, hechas]``) ---------------
@intrinsic
def _atomic_add(typingctx, ary, i, v):
    """``ary[i] += v`` atómico (``seq_cst``); devuelve el valor anterior. ``ary``: int64 1-D."""
    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, sig.args[0], a, [args[1]])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, val, "seq_cst")
    return types.int64(ary, i, v), codegen


@intrinsic
def _atomic_load(typingctx, ary, i):
    """``ary[i]`` con lectura atómica (``seq_cst``): ve lo que otro hilo sumó con ``_atomic_add``."""
    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, sig.args[0], a, [args[1]])
        return builder.load_atomic(ptr, "seq_cst", 8)
    return types.int64(ary, i), codegen


_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


@intrinsic
def _pause(typingctx):
    """La instrucción ``pause`` de x86 en una espera activa (nada en otras arquitecturas)."""
    def codegen(context, builder, sig, args):
        if _X86:
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                "llvm.x86.sse2.pause")
            builder.call(fn, [])
        return context.get_dummy_value()
    return types.none(), codegen


@njit(nogil=True, cache=True)
def _take(ctl, n, nk):
    """Toma el siguiente bloque ``[lo, hi)`` de ``range(n)``: reparto «guiado» (cada bloque, lo que
    queda entre ``2·nk``; al final de una iteración), así el hilo que empieza tarde toma menos y
    los dos acaban casi a la vez. Con un hilo, todo el bucle en un bloque."""
    rest = n - _atomic_load(ctl, 0)
    size = rest if nk <= 1 else max(1, rest // (2 * nk))
    lo = _atomic_add(ctl, 0, size)
    return lo, min(lo + size, n)


@njit(nogil=True, cache=True)
def _done(ctl, count):
    _atomic_add(ctl, 1, count)


@njit(nogil=True, cache=True)
def _wait(ctl, n, spin):
    """Espera activa (a lo sumo ``spin`` vueltas) a que los otros hilos acaben sus bloques; devuelve
    las iteraciones hechas (``n``: no hace falta esperar a nadie)."""
    for _ in range(spin):
        if _atomic_load(ctl, 1) >= n:
            break
        _pause()
    return _atomic_load(ctl, 1)


@njit(nogil=True, cache=True)
def _ring(bell):
    """Toca el timbre (al empezar el trozo, ya sin el GIL): despierta a los hilos de la reserva que
    esperan en activo."""
    if bell.size:
        _atomic_add(bell, 0, 1)


@njit(nogil=True, cache=True)
def _listen(bell, seen, spin):
    """Espera activa de un hilo de la reserva (sin el GIL): ``True`` si el timbre sonó."""
    for _ in range(spin):
        if _atomic_load(bell, 0) != seen:
            return True
        _pause()
    return False


# Esperas activas, en µs (se convierten en vueltas de ``pause`` la primera vez). Quien llama, al
# final (los últimos bloques son pequeños). La reserva, tras cada tarea, sólo con
# ``TINYGRAD_ES_ESPERA_US`` (p. ej. 200): en un paso de entrenamiento los núcleos llegan seguidos y
# despertar un hilo dormido (futex; en una máquina virtual, la CPU parada) cuesta decenas de µs, lo
# que OpenMP evita esperando en activo; pero con la máquina cargada esa espera quita CPU a los demás
# (medido con carga 10-11: el paso 9-11 % más lento). Sin medir aún con la máquina tranquila.
CALLER_SPIN_US = 30.0
WORKER_SPIN_US = float(os.environ.get("TINYGRAD_ES_ESPERA_US", "0"))
_spins = {}


def _calibrate():
    ctl = np.zeros(2, np.int64)
    _wait(ctl, 1, 10)  # compila o carga de la caché
    t = time.perf_counter()
    _wait(ctl, 1, 2000)
    per = max((time.perf_counter() - t) / 2000, 1e-9)
    _spins["caller"] = int(CALLER_SPIN_US * 1e-6 / per)
    _spins["worker"] = int(WORKER_SPIN_US * 1e-6 / per)


class _Worker:
    """Un hilo de la reserva: sus tareas (``slot``), la cola donde duerme y si espera en activo."""
    __slots__ = ("slot", "q", "spinning")

    def __init__(self):
        self.slot, self.q, self.spinning = [], queue.SimpleQueue(), False


class _Pool:
    """Hilos de Python que ejecutan trozos de núcleos ``nogil``; uno por hilo extra, creados al
    primer uso. Dos formas de repartir:

    * ``blocks(trozo, n, args, nk)``, la de los núcleos reescritos: quien llama deja la tarea a cada
      hilo (despertándolo por su cola si duerme; si espera en activo, lo despierta el timbre que toca
      el trozo al empezar, ya sin el GIL), trabaja él mismo tomando bloques y sólo espera a un hilo de
      la reserva si éste tiene un bloque a medias: si la reserva tarda en despertar (o está con la
      tarea de otro hilo del usuario), quien llama hace todo el bucle y no espera a nadie;
    * ``run(fn, args, nk)``, reparto estático: ``fn(*args, k, nk)`` para cada ``k`` (el 0 en el hilo
      que llama), y se espera a todos (para ``fn`` de Python que llaman a funciones ``nogil``)."""

    def __init__(self):
        self.workers = []
        self.lock = threading.Lock()
        self.bell = np.zeros(1, np.int64)

    def _grow(self, n):
        with self.lock:
            while len(self.workers) < n:
                w = _Worker()
                threading.Thread(target=_work, args=(w, self.bell), daemon=True, name="tinygrad_es-nucleo").start()
                self.workers.append(w)

    def _post(self, k, fn, args):
        """Deja ``fn(*args)`` al hilo ``k`` de la reserva; devuelve su caja ``[error, cerrojo]``."""
        done = _thread.allocate_lock()
        done.acquire()
        box = [None, done]
        w = self.workers[k]
        w.slot.append((fn, args, box))
        if not w.spinning:
            w.q.put(None)
        return box

    def _withdraw(self, boxes):
        """Quita de la cola de cada hilo la tarea que aún no empezó (quien llama ya hizo todo): que no
        retenga los arrays de la llamada hasta que el hilo despierte (con el GIL: o está en la cola
        o el hilo ya la tomó)."""
        for k, box in enumerate(boxes):
            slot = self.workers[k].slot
            for i, task in enumerate(slot):
                if task[2] is box:
                    del slot[i]
                    break

    @staticmethod
    def _join(boxes, err=None):
        for box in boxes:
            box[1].acquire()
        for box in boxes:
            if err is None:
                err = box[0]
        if err is not None:
            raise err

    def blocks(self, trozo, n, args, nk):
        if not _spins:
            _calibrate()
        if len(self.workers) < nk - 1:
            self._grow(nk - 1)
        ctl = np.zeros(2, np.int64)
        boxes = [self._post(k, _blocks_job, (trozo, n, args, ctl, nk)) for k in range(nk - 1)]
        try:
            finished = trozo(*args, n, ctl, nk, _spins["caller"], self.bell if _spins["worker"] else _NO_BELL)
        except BaseException as e:  # se espera a los demás antes de propagarlo (usan los mismos arrays)
            self._join(boxes, e)
        if finished < n:  # alguien tiene un bloque a medias (o falló en uno)
            self._join(boxes)
        else:
            self._withdraw(boxes)

    def run(self, fn, args, nk):
        if len(self.workers) < nk - 1:
            self._grow(nk - 1)
        boxes = [self._post(k - 1, fn, args + (k, nk)) for k in range(1, nk)]
        try:
            fn(*args, 0, nk)
        except BaseException as e:
            self._join(boxes, e)
        self._join(boxes)


_NO_BELL = np.zeros(0, np.int64)


def _blocks_job(trozo, n, args, ctl, nk):
    if ctl[0] < n:  # si quien llama ya tomó todos los bloques, ni entrar
        trozo(*args, n, ctl, nk, 0, _NO_BELL)


def _work(w, bell):
    """El bucle de un hilo de la reserva. Cada tarea que ``_post`` deja en ``w.slot`` se ejecuta una
    vez: quien llama la deja antes de mirar ``w.spinning`` y el hilo pone ``spinning = False`` antes
    de mirar ``w.slot`` (los dos con el GIL), así que o la ve el hilo o quien llama lo despierta."""
    while True:
        while w.slot:
            fn, args, box = w.slot.pop(0)
            try:
                fn(*args)
            except BaseException as e:
                box[0] = e
            box[1].release()
            # sin referencias a los arrays de la tarea mientras se espera la siguiente: antes, la
            # última tarea (sus salidas, sus temporales) seguía viva hasta la siguiente llamada
            fn = args = box = None
        spin = _spins.get("worker", 0)
        if spin:
            seen = bell[0]
            w.spinning = True
            if not w.slot:
                _listen(bell, seen, spin)
            w.spinning = False
        if not w.slot:
            w.q.get()


_POOL = _Pool()


def _run(trozo, n, args):
    """Ejecuta ``trozo`` (un bucle de ``n`` iteraciones ya reescrito) con los hilos de numba."""
    nk = 1 if _state["serial"] else _num_threads()
    if nk > 1 and n > 1:
        if _state["launched_in"] is None:
            _state["launched_in"] = os.getpid()
        _POOL.blocks(trozo, n, args, nk)
    else:
        trozo(*args, n, np.zeros(2, np.int64), 1, 0, _NO_BELL)


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
    (params..., nombres...)); return <lo del return>``."""
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
    ns = {}
    exec(code, dict(py_func.__globals__, **_HELPERS), ns)  # el trozo (numba congela sus globales)
    opts = {k_: v for k_, v in kernel.targetoptions.items() if k_ not in ("parallel", "nopython")}
    cache = type(kernel._cache).__name__ != "NullCache"
    trozo = numba.njit(nogil=True, cache=cache, **opts)(ns[name])
    ns = {}
    exec(code, py_func.__globals__, ns)  # la llamada, con las globales vivas del módulo
    return _Chunked(ns["_fabrica_"](trozo, _run), trozo, loop_args)


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
