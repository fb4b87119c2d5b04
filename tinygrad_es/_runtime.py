"""Ajustes del proceso que se aplican al importar tinygrad_es.

1. Capa de hilos de numba (salvo que el usuario elija otra con ``NUMBA_THREADING_LAYER``):
   ``omp`` (GNU OpenMP) si está, con una espera activa corta (``GOMP_SPINCOUNT=10000``);
   si no, ``tbb`` y si no ``workqueue``. Medido en esta máquina de 2 núcleos (paso de la
   CNN del curso, intercalado con PyTorch): con ``workqueue`` 32-38 ms (1,6-1,8× PyTorch;
   cada región paralela despierta hilos dormidos y el hilo principal no trabaja), con
   ``omp`` y espera corta 22-24 ms (1,1-1,3×). La espera por defecto de OpenMP (o la de
   OpenBLAS, 2²⁸ ciclos, que ``kernels/blas.py`` acorta) deja hilos girando que le
   quitan el núcleo al otro grupo de hilos (así salían los ~70 ms con ``omp`` de la
   primera versión). Se fija al importar el paquete (no al importar los núcleos) para
   que valga aunque el usuario llame a ``numba.set_num_threads`` antes de la primera
   convolución. ``omp`` admite llamadas desde varios hilos de Python; tras un ``fork``
   (workers del DataLoader) los núcleos pasan a una versión sin hilos
   (``kernels/_parallel.py``), porque GNU OpenMP no sobrevive a un ``fork``.

2. Asignador de memoria de glibc (véase ``tune_malloc``).

3. Importar numba sin scipy ni yaml (``import_numba``): ``import numba`` importa scipy sólo para
   comprobar su versión y yaml sólo para leer un ``.numba_config.yaml`` si lo hay en la carpeta
   actual: ~37 ms de CPU de los ~230 de ``import numba`` (medido aquí, 6 pares). Mientras se importa
   numba, ``scipy`` y ``yaml`` (si nadie los había importado, y yaml sólo si no existe ese fichero)
   figuran como ausentes en ``sys.modules``; después se quitan esas marcas y se importan con
   normalidad la primera vez que alguien los pida (numba mismo, para ``np.dot`` en código numba).
   ``TINYGRAD_ES_NUMBA_LIGERO=0`` lo desactiva.

Asignador: cada paso de entrenamiento crea y libera decenas de arrays de varios MB. Por
defecto glibc sirve los bloques grandes con ``mmap`` y los devuelve al sistema al
liberarlos, así que en el paso siguiente cada página se vuelve a "tocar por
primera vez" (~2 000 fallos de página por paso en la CNN del curso). Medido aquí:
el paso de la CNN pasa de ~35 ms a ~20 ms al mantener esa memoria en el montón
(lo mismo que hace la caché de memoria de PyTorch).

Sólo actúa en Linux con glibc; ``TINYGRAD_ES_MALLOC=0`` lo desactiva. El coste:
la memoria liberada no vuelve al sistema hasta que el proceso termina (hasta el
umbral de recorte).
"""
import ctypes
import importlib
import os
import sys


LAYER_PRIORITY = ("omp", "tbb", "workqueue")


def prefer_threading_layer() -> None:
    """Capa de hilos de numba por prioridad ``omp`` > ``tbb`` > ``workqueue`` (la primera que
    cargue), salvo que el usuario haya elegido una."""
    if "NUMBA_THREADING_LAYER" in os.environ:
        return
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # libgomp lo lee al cargarse (1.ª región paralela)
    os.environ["NUMBA_THREADING_LAYER"] = "default"  # numba lo lee al importarse
    os.environ["NUMBA_THREADING_LAYER_PRIORITY"] = " ".join(LAYER_PRIORITY)
    numba = sys.modules.get("numba")
    if numba is not None:  # numba ya importado: su configuración ya se leyó
        numba.config.THREADING_LAYER = "default"
        numba.config.THREADING_LAYER_PRIORITY = list(LAYER_PRIORITY)


prefer_workqueue = prefer_threading_layer  # nombre anterior


def import_numba():
    """``import numba`` sin importar de paso scipy ni yaml (punto 3 de arriba). Devuelve el módulo."""
    if "numba" in sys.modules or os.environ.get("TINYGRAD_ES_NUMBA_LIGERO", "1") in ("0", "no", ""):
        return importlib.import_module("numba")
    skip = [m for m in ("scipy", "yaml") if m not in sys.modules]
    if os.path.exists(".numba_config.yaml") and "yaml" in skip:
        skip.remove("yaml")
    for m in skip:
        sys.modules[m] = None  # «no instalado» para import (ImportError), sólo durante el import de numba
    try:
        return importlib.import_module("numba")
    finally:
        for m in skip:
            if m in sys.modules and sys.modules[m] is None:
                del sys.modules[m]


M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
APPLIED = False


def tune_malloc(mmap_threshold: int = 256 * 2**20, trim_threshold: int = 1024 * 2**20) -> bool:
    """Sirve desde el montón los bloques de hasta ``mmap_threshold`` bytes y no devuelve
    al sistema la memoria libre por debajo de ``trim_threshold``. Devuelve si se aplicó."""
    global APPLIED
    if APPLIED or os.environ.get("TINYGRAD_ES_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return APPLIED
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 and libc.mallopt(M_TRIM_THRESHOLD,
                                                                                    trim_threshold) == 1
    except (OSError, AttributeError):  # otra libc (musl...) o sin mallopt
        return False
    APPLIED = bool(ok)
    return APPLIED
