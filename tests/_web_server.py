"""Arranca ``tinygrad-es web`` en un subproceso (puerto libre elegido por el sistema) para
los tests de la página; ``ServidorWeb.parar()`` lo termina siempre."""
import http.client
import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time

RAIZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ServidorWeb:
    def __init__(self, *args, espera: float = 180.0):
        self._err = tempfile.TemporaryFile(mode="w+")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "tinygrad_es", "web", "--puerto", "0", *args],
                                     cwd=RAIZ, stdout=subprocess.PIPE, stderr=self._err, text=True, env=env)
        linea = self._linea(espera)
        m = re.search(r"http://(\[[^\]]+\]|[^:/]+):(\d+)/", linea or "")
        if not m:
            self.parar()
            raise RuntimeError(f"el servidor no arrancó: {linea!r}\n{self.stderr()}")
        self.host, self.port = m.group(1).strip("[]"), int(m.group(2))
        self.url = f"http://{m.group(1)}:{self.port}"

    def _linea(self, espera):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        fin = time.monotonic() + espera
        while time.monotonic() < fin:
            if sel.select(timeout=0.5):
                return self.proc.stdout.readline()
            if self.proc.poll() is not None:
                return None
        return None

    def stderr(self) -> str:
        self._err.seek(0)
        return self._err.read()

    def parar(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def pedir(self, metodo, ruta, cuerpo=None, cabeceras=None, timeout=5.0):
        """(estado, cabeceras, cuerpo) con ``http.client``; ``cuerpo`` dict -> JSON."""
        if isinstance(cuerpo, (dict, list)):
            cuerpo = json.dumps(cuerpo).encode()
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request(metodo, ruta, body=cuerpo, headers=cabeceras or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def predecir(self, imagen):
        estado, _, cuerpo = self.pedir("POST", "/api/predecir", {"imagen": imagen},
                                       {"Content-Type": "application/json"})
        return estado, json.loads(cuerpo)


def redibujar(digito, escala, alto, ancho, fila, columna):
    """Un dígito de MNIST (28×28 en [0, 1]) "dibujado de nuevo" a otra escala y en otra
    posición de un lienzo ``alto × ancho``: se recorta su tinta, se reescala por ``escala``
    con interpolación bilineal (otro método que el del servidor) y se pega con su esquina
    superior izquierda en (fila, columna)."""
    import numpy as np
    filas = np.flatnonzero(digito.max(axis=1) > 0)
    columnas = np.flatnonzero(digito.max(axis=0) > 0)
    recorte = digito[filas[0]:filas[-1] + 1, columnas[0]:columnas[-1] + 1]
    h, w = recorte.shape
    H, W = max(1, round(h * escala)), max(1, round(w * escala))
    ys = np.clip((np.arange(H) + 0.5) / escala - 0.5, 0, h - 1)
    xs = np.clip((np.arange(W) + 0.5) / escala - 0.5, 0, w - 1)
    por_filas = np.stack([np.interp(ys, np.arange(h), recorte[:, j]) for j in range(w)], axis=1)
    grande = np.stack([np.interp(xs, np.arange(w), por_filas[i]) for i in range(H)])
    lienzo = np.zeros((alto, ancho))
    lienzo[fila:fila + H, columna:columna + W] = grande[:alto - fila, :ancho - columna]
    return lienzo


def redibujados(digitos, semilla=0):
    """Cada dígito a una escala al azar entre 0.7 y 4, en un lienzo de tamaño al azar
    (no cuadrado) y descentrado (pegado cerca de un borde)."""
    import numpy as np
    rng = np.random.default_rng(semilla)
    for d in digitos:
        escala = float(rng.uniform(0.7, 4.0))
        H, W = round(20 * escala) + 2, round(20 * escala) + 2
        alto, ancho = int(H + rng.integers(10, 120)), int(W + rng.integers(10, 120))
        fila, columna = int(rng.integers(0, alto - H + 1)), int(rng.integers(0, ancho - W + 1))
        yield redibujar(d, escala, alto, ancho, fila, columna)
