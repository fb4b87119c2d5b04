"""La reserva de hilos de los núcleos paralelos y el reparto de un bucle entre ellos.

``_parallel.py`` reescribe cada ``prange`` en un ``trozo`` ``nogil`` que toma bloques de iteraciones
de un contador atómico (``_take``/``_done``/``_wait``, sobre ``ctl = [tomadas, hechas]``); aquí están
esos contadores (intrínsecos de LLVM: numba no tiene atómicos en CPU), la reserva (``_POOL``: un hilo
de Python por hilo extra de numba) y ``_run``, que reparte un trozo con ``numba.get_num_threads()``
hilos. Tras un ``fork`` la reserva se vacía (sus hilos no existen en el hijo) y, si el padre ya
repartió o lanzó OpenMP, el hijo corre sin hilos (``_state["serial"]``).
"""
import _thread
import os
import platform
import queue
import threading
import time

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.ufunc import parallel as _numba_parallel

_state = {"launched_in": None, "serial": False}


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
            for task in list(slot):  # una copia: el hilo puede sacar su tarea (pop) mientras se busca
                if task[2] is box:
                    try:
                        slot.remove(task)  # una sola llamada con el GIL: o la quita o el hilo ya la tomó
                    except ValueError:
                        pass
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
    _POOL.__init__()  # los hilos de la reserva no existen en el hijo (el mismo objeto: otros lo importan)
    # sólo hace falta si el padre ya inicializó OpenMP (o repartió trozos: el hijo no crea más hilos)
    if _state["launched_in"] is not None:
        _state["serial"] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
