"""Compilar en segundo plano: con la caché vacía, un segundo proceso compila lo que la CNN vendrá a pedir.

numba compila con el GIL tomado (y con un cerrojo global por proceso): dentro de un proceso los
núcleos se compilan de uno en uno, aunque haya otro núcleo de la CPU libre. La primera vez que un
programa compila un núcleo de convolución (la caché de disco está vacía: es la primera ejecución de
una CNN), se lanza **un** proceso hijo que compila, en el otro núcleo de la CPU, los núcleos del
camino de la CNN del curso que no son el forward de la convolución (ReLU, max-pooling, entropía
cruzada y el backward de la convolución: ``prepare.background``) mientras el programa compila los
del forward; cuando el programa llega a ellos, los carga de la caché. Seguro:

* los dos procesos comparten la caché de numba con cerrojos (``cache_lock.py``): un núcleo que
  el otro está compilando se espera y se carga, nunca se compila dos veces ni se pisa el índice;
* el hijo sólo escribe en la caché (a ficheros temporales renombrados de forma atómica); cuando el
  programa termina le manda ``SIGTERM`` y el hijo sale en el acto (un núcleo a medio compilar no ha
  escrito nada; si está escribiendo, al acabar; pasados ``STOP_WAIT`` s, ``SIGKILL``); si el programa
  muere sin avisar, el hijo lo ve entre dos tareas y sale; nunca queda vivo;
* con una sola CPU disponible, o sin una CPU libre (carga media del último minuto), no se lanza: no
  habría un núcleo de la CPU para él.

``TINYGRAD_ES_COMPILAR_FONDO=0`` lo desactiva (el proceso hijo lo tiene así: no lanza otro) y ``=1`` lo
lanza aunque la máquina esté ocupada.
"""
import atexit
import os
import signal
import subprocess
import sys
import threading
import time

from numba.core import event

from . import cache_lock

__all__ = ["install", "enabled", "start", "stop", "STOP_WAIT"]

STOP_WAIT = 3.0   # segundos que se espera al hijo al salir antes de matarlo
# el primer núcleo compilado de uno de estos módulos lanza el hijo con esas tareas (``prepare.background``):
# el de una convolución, las de la CNN del curso; el de una LayerNorm o del softmax de la atención, las de
# un Transformer (GELU, atención, embeddings, ∂b de las lineales sobre secuencias, AdamW)
_TRIGGERS = (("tinygrad_es.kernels.conv.", "cnn"), ("tinygrad_es.kernels.layer_norm", "transformer"),
             ("tinygrad_es.kernels.attention", "transformer"))
_lock = threading.Lock()
_state = {"proc": None, "pid": None, "tried": False, "installed": False, "main": os.getpid()}
ENV = "TINYGRAD_ES_COMPILAR_FONDO"


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _runnable_now(samples: int = 3, gap: float = 0.01) -> float | None:
    """Hilos ejecutables ahora mismo, sin contar a quien lee (campo 4 de ``/proc/loadavg``, «R/T»); el
    mínimo de unas muestras separadas ``gap`` s, porque una sola ve picos de un instante. ``None`` si el
    sistema no lo dice (fuera de Linux)."""
    counts = []
    for i in range(samples):
        try:
            with open("/proc/loadavg") as f:
                counts.append(int(f.read().split()[3].split("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            return None
        if i + 1 < samples:
            time.sleep(gap)
    return float(max(min(counts), 0))


def _idle_cpus() -> float:
    """CPUs libres: las que no usan otros procesos, según lo menor entre la carga media del último minuto
    y los hilos ejecutables ahora. La media sola va con retraso: justo después de otro proceso pesado
    (p. ej. la ejecución anterior del mismo programa) marca ~1 aunque la máquina ya esté libre, y el hijo
    no arrancaba; con carga de verdad las dos son altas."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # sin getloadavg (Windows)
        return 1.0
    now = _runnable_now()
    return _cpus() - (load if now is None else min(load, now))


def enabled() -> bool:
    """``TINYGRAD_ES_COMPILAR_FONDO``: ``0`` nunca, ``1`` siempre (si hay dos CPUs); sin definir, sólo si
    queda al menos una CPU libre. Con la máquina ocupada por otros procesos el hijo no tiene una CPU
    para él: sólo repartiría la misma CPU y añadiría su arranque (medido con carga 10 en 2 CPUs: el paso
    frío 56 s con él frente a 46 s sin él)."""
    value = os.environ.get(ENV)
    if value in ("0", "no", ""):
        return False
    if _cpus() < 2 or not cache_lock.active():  # sin cerrojos dos procesos podrían pisarse la caché
        return False
    return value is not None or _idle_cpus() >= 1.0


def start(group="cnn"):
    """Lanza el proceso hijo (una vez por proceso) con las tareas ``group`` de ``prepare.background``
    (``"cnn"`` o ``"transformer"``). Devuelve el ``Popen`` o ``None``."""
    with _lock:
        if _state["tried"]:
            return _state["proc"]
        _state["tried"] = True
        if not enabled():
            return None
        if not sys.executable:
            return None
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ)
        env.update({ENV: "0", "TINYGRAD_ES_AVISO_COMPILACION": "0", "TINYGRAD_ES_FONDO_PADRE": str(os.getpid()),
                    "PYTHONPATH": os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])})
        try:
            code = f"from tinygrad_es.prepare import background; background(group={group!r})"
            proc = subprocess.Popen([sys.executable, "-c", code],
                                    env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, close_fds=True)
        except (OSError, ValueError, TypeError):  # sin intérprete (Python incrustado) o sin recursos: todo aquí
            return None
        _state.update(proc=proc, pid=os.getpid())
    atexit.register(stop)
    return proc


def stop(wait: float = STOP_WAIT) -> None:
    """Detiene el hijo si sigue vivo: ``SIGTERM`` (sale en el acto) y, pasados ``wait`` s,
    ``SIGKILL``. Sólo el proceso que lo lanzó (no un hijo de ``fork``, como los del DataLoader)."""
    proc = _state["proc"]
    if proc is None or _state["pid"] != os.getpid() or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except OSError:
        pass


class _Listener(event.Listener):
    def on_start(self, ev):
        if _state["tried"] or os.getpid() != _state["main"]:  # no desde un hijo de fork (DataLoader)
            return
        disp = (ev.data or {}).get("dispatcher")
        module = getattr(getattr(disp, "py_func", None), "__module__", "")
        for prefix, group in _TRIGGERS:
            if module.startswith(prefix):
                start(group)
                return

    def on_end(self, ev):
        pass


def install() -> None:
    """Escucha las compilaciones de numba (lo hace ``kernels/__init__.py``)."""
    with _lock:
        if _state["installed"]:
            return
        _state["installed"] = True
    event.register("numba:compile", _Listener())
