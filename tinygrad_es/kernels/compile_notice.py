"""Aviso visible cuando numba compila núcleos: la primera vez no hay un minuto de silencio.

numba compila cada núcleo la primera vez que se llama con unos tipos (de 0,1 a 4 s de CPU cada uno; una
CNN del curso necesita unos 15) y lo guarda en su caché de disco (``cache=True``): las veces siguientes
se carga en milisegundos. Aquí se escucha el evento ``numba:compile`` (sólo ocurre cuando de verdad se
compila, no al cargar de la caché) de los núcleos de tinygrad_es y se escribe en stderr, una vez por
tanda de compilaciones seguidas::

    compilando núcleos de numba (sólo la primera vez; quedan en caché)…
    compilando núcleos (primera vez)… 12,3 s (9 núcleos)

La tanda se da por terminada cuando pasa ``GAP`` s sin compilar nada (o al salir del programa). Si hay
barras de ``tqdm`` (si alguien importó tqdm), se escribe con ``tqdm.write`` para no romperlas; si no,
directamente en stderr (así importar la biblioteca no importa tqdm: ~10 ms de CPU). ``TINYGRAD_ES_AVISO_COMPILACION=0``
lo desactiva; ``tinygrad-es preparar`` compila todo de antemano.
"""
import atexit
import contextlib
import os
import sys
import threading
import time

from numba.core import event

__all__ = ["install", "enabled", "GAP", "stats"]

GAP = 0.5          # segundos sin compilar que cierran una tanda
_lock = threading.RLock()
_state = {"depth": 0, "t0": None, "count": 0, "timer": None, "installed": False, "quiet": 0}
stats = {"bursts": 0, "kernels": 0, "seconds": 0.0}   # lo compilado en este proceso (lo usa preparar)


def enabled() -> bool:
    return not _state["quiet"] and os.environ.get("TINYGRAD_ES_AVISO_COMPILACION", "1") not in ("0", "no", "")


@contextlib.contextmanager
def quiet():
    """Sin avisos mientras dura (quien lo usa muestra su propia barra, como ``tinygrad-es preparar``);
    al salir, la tanda en curso se cierra y cuenta en ``stats``."""
    with _lock:
        _state["quiet"] += 1
    try:
        yield
    finally:
        flush()
        with _lock:
            _state["quiet"] -= 1


def _write(msg: str) -> None:
    bars = getattr(sys.modules.get("tqdm"), "tqdm", None)  # sin tqdm importado no hay barras que respetar
    try:
        if bars is not None:
            bars.write(msg, file=sys.stderr)  # las barras activas se borran y se vuelven a dibujar
        else:
            print(msg, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr cerrado: no hay dónde avisar
        pass


def _seconds(s: float) -> str:
    return f"{s:.1f}".replace(".", ",") + " s"


def _finish() -> None:
    with _lock:
        if _state["t0"] is None or _state["depth"]:
            return
        elapsed = time.perf_counter() - _state["t0"]
        n = _state["count"]
        _state.update(t0=None, count=0, timer=None)
        stats["bursts"] += 1
        stats["kernels"] += n
        stats["seconds"] += elapsed
    if enabled():
        _write(f"compilando núcleos (primera vez)… {_seconds(elapsed)} ({n} núcleo{'s' if n != 1 else ''})")


def _ours(ev) -> bool:
    disp = (ev.data or {}).get("dispatcher")
    func = getattr(disp, "py_func", None)
    return getattr(func, "__module__", "").startswith("tinygrad_es")


class _Listener(event.Listener):
    def on_start(self, ev):
        if not _ours(ev):
            return
        with _lock:
            timer = _state["timer"]
            if timer is not None:
                timer.cancel()
                _state["timer"] = None
            if _state["depth"] == 0 and _state["t0"] is None:
                _state["t0"] = time.perf_counter()
                if enabled():
                    _write("compilando núcleos de numba (sólo la primera vez; quedan en caché)…")
            if _state["depth"] == 0:
                _state["count"] += 1
            _state["depth"] += 1

    def on_end(self, ev):
        if not _ours(ev):
            return
        with _lock:
            _state["depth"] = max(0, _state["depth"] - 1)
            if _state["depth"] == 0 and _state["t0"] is not None:
                timer = threading.Timer(GAP, _finish)
                timer.daemon = True
                _state["timer"] = timer
                timer.start()


def flush() -> None:
    """Cierra ya la tanda en curso (si la hay) y escribe su tiempo."""
    with _lock:
        timer = _state["timer"]
        if timer is not None:
            timer.cancel()
            _state["timer"] = None
    _finish()


def install() -> None:
    """Empieza a escuchar las compilaciones (lo hace ``kernels/__init__.py`` al importarse)."""
    with _lock:
        if _state["installed"]:
            return
        event.register("numba:compile", _Listener())
        atexit.register(flush)
        _state["installed"] = True
