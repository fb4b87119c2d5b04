"""El servidor de la página: una aplicación Starlette servida por uvicorn.

Rutas:

* ``GET /`` la página de dibujo; ``GET /grafo`` la del grafo de cómputo; ``GET /voz`` la de voz.
* ``GET /static/NOMBRE`` los scripts y estilos (sólo los ficheros de ``static/``; nada de CDN).
* ``GET /preproceso.py`` el código del preprocesado, que la página enseña.
* ``POST /api/predecir`` ``{"imagen": [[...], ...]}`` -> ``{"clase", "probabilidades", ...}``.
* ``POST /api/grafo`` ``{"expresion": "...", "valores": {...}}`` -> grafo y pasos.
* ``POST /api/voz`` un WAV (o muestras crudas) -> ``{"clase", "probabilidades", "espectrograma", ...}``.

Cualquier error es un JSON ``{"error": "mensaje en español"}`` con un código 4xx.
"""
from __future__ import annotations

import asyncio
import os
import socket
import sys

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

from . import grafo, preproceso
from .modelo import Clasificador, ErrorModelo, crear_modelo
from .peticion import MAX_BYTES, PeticionIncorrecta, leer_imagen, leer_json
from .preproceso import ImagenVacia
from .voz import ClasificadorVoz, crear_clasificador_voz, leer_audio

__all__ = ["crear_app", "main", "ESTATICOS"]

ESTATICOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
_TIPOS = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
TIEMPO_CUERPO = 10.0       # segundos para recibir el cuerpo de una petición
MAX_DESCARTE = 32 * MAX_BYTES   # un cuerpo algo mayor que el límite se lee y se descarta (véase _cuerpo)
_MENSAJES = {404: "no existe esa página", 405: "método no permitido en esta ruta",
             413: "la petición es demasiado grande"}


def _error(mensaje: str, estado: int, **cabeceras) -> JSONResponse:
    return JSONResponse({"error": mensaje}, status_code=estado, headers=cabeceras or None)


async def _cuerpo(request: Request) -> bytes:
    """Lee el cuerpo con un límite de tamaño (1 MB) y de tiempo.

    Un cuerpo demasiado grande se sigue leyendo (y descartando) hasta ``MAX_DESCARTE``
    antes de contestar 413: si cerráramos la conexión con datos sin leer, el sistema
    la cortaría con un RST y el cliente, que aún está enviando, no vería la respuesta."""
    declarado = request.headers.get("content-length")
    if declarado is not None:
        if not declarado.isdigit():
            raise PeticionIncorrecta("cabecera Content-Length no válida")
        n = int(declarado)
        expect = request.headers.get("expect", "").lower() == "100-continue"
        if n > MAX_BYTES and (expect or n > MAX_DESCARTE):
            # el cliente espera permiso (100-continue) o anuncia algo enorme: no leemos nada
            raise PeticionIncorrecta(f"el cuerpo ocupa {n} bytes: como mucho {MAX_BYTES} (1 MB)", 413)

    async def leer():
        partes, total = [], 0
        async for trozo in request.stream():
            total += len(trozo)
            if total <= MAX_BYTES:
                partes.append(trozo)
            elif total > MAX_DESCARTE:
                break
        if total > MAX_BYTES:
            raise PeticionIncorrecta(f"el cuerpo ocupa más de {MAX_BYTES} bytes (1 MB)", 413)
        return b"".join(partes)

    try:
        return await asyncio.wait_for(leer(), TIEMPO_CUERPO)
    except asyncio.TimeoutError:
        raise PeticionIncorrecta(f"el cuerpo no llegó completo en {TIEMPO_CUERPO:.0f} s", 408) from None


def crear_app(clasificador: Clasificador, voz: ClasificadorVoz | None = None) -> Starlette:
    """La aplicación con un ``Clasificador`` ya cargado (y, para ``/voz``, un ``ClasificadorVoz``)."""

    def pagina(nombre):
        async def servir(request):
            return FileResponse(os.path.join(ESTATICOS, nombre), media_type=_TIPOS[".html"])
        return servir

    # lista cerrada de ficheros servibles: ninguna ruta pedida llega al sistema de ficheros
    estaticos = {n: os.path.join(ESTATICOS, n) for n in os.listdir(ESTATICOS)
                 if os.path.splitext(n)[1] in _TIPOS}

    async def estatico(request):
        ruta = estaticos.get(request.path_params["nombre"])
        if ruta is None:
            raise HTTPException(404)
        return FileResponse(ruta, media_type=_TIPOS[os.path.splitext(ruta)[1]])

    with open(preproceso.__file__, encoding="utf-8") as fh:
        codigo = fh.read()

    async def codigo_preproceso(request):
        return PlainTextResponse(codigo)

    def _predecir(cuerpo: bytes) -> dict:
        return clasificador.predecir(leer_imagen(leer_json(cuerpo)))

    async def predecir(request):
        try:
            cuerpo = await _cuerpo(request)
            resultado = await run_in_threadpool(_predecir, cuerpo)
        except PeticionIncorrecta as e:
            return _error(e.mensaje, e.estado)
        except ImagenVacia as e:
            return _error(str(e), 422)
        return JSONResponse(resultado)

    async def api_grafo(request):
        try:
            cuerpo = await _cuerpo(request)
            resultado = await run_in_threadpool(lambda: grafo.explicar(leer_json(cuerpo)))
        except PeticionIncorrecta as e:
            return _error(e.mensaje, e.estado)
        return JSONResponse(resultado)

    async def api_voz(request):
        if voz is None:
            return _error("la página de voz no está disponible: faltan los pesos de la RedVoz", 503)
        try:
            cuerpo = await _cuerpo(request)
            tipo, consulta = request.headers.get("content-type", ""), request.query_params
            resultado = await run_in_threadpool(lambda: voz.predecir(*leer_audio(cuerpo, tipo, consulta)))
        except PeticionIncorrecta as e:
            return _error(e.mensaje, e.estado)
        return JSONResponse(resultado)

    async def http_error(request, exc: HTTPException):
        cab = {"Allow": exc.headers["Allow"]} if exc.headers and "Allow" in exc.headers else {}
        msg = _MENSAJES.get(exc.status_code, "petición incorrecta")
        if exc.status_code == 404:
            msg += f": {request.url.path[:200]!r}"
        elif exc.status_code == 405 and cab:
            msg += f" ({request.method}); usa {cab['Allow']}"
        return _error(msg, exc.status_code, **cab)

    async def fallo(request, exc: Exception):
        # nunca una página de error HTML ni una traza: el detalle queda en el registro del servidor
        print(f"error interno en {request.method} {request.url.path}: {exc!r}", file=sys.stderr)
        return _error("error interno del servidor", 500)

    rutas = [
        Route("/", pagina("index.html"), methods=["GET"]),
        Route("/grafo", pagina("grafo.html"), methods=["GET"]),
        Route("/voz", pagina("voz.html"), methods=["GET"]),
        Route("/static/{nombre}", estatico, methods=["GET"]),
        Route("/preproceso.py", codigo_preproceso, methods=["GET"]),
        Route("/api/predecir", predecir, methods=["POST"]),
        Route("/api/grafo", api_grafo, methods=["POST"]),
        Route("/api/voz", api_voz, methods=["POST"]),
    ]
    return Starlette(routes=rutas, exception_handlers={HTTPException: http_error, Exception: fallo})


_LOCALES = {"127.0.0.1", "localhost", "::1"}


def _socket(host: str, puerto: int) -> socket.socket:
    familia = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(familia, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, puerto))
    except OSError as e:
        s.close()
        raise SystemExit(f"error: no se puede escuchar en {host}:{puerto} ({e.strerror or e}). "
                         f"Prueba otro puerto con --puerto N") from None
    s.listen(128)
    return s


def main(args) -> int:
    """Arranca el servidor (``args``: ``puerto``, ``modelo``, ``host``, de la CLI)."""
    try:
        import uvicorn
    except ImportError:
        raise SystemExit("error: la página web necesita el extra 'web': pip install \"tinygrad_es[web]\"") from None
    if not 0 <= args.puerto <= 65535:
        raise SystemExit(f"error: --puerto debe estar entre 0 y 65535, no {args.puerto}")
    if args.host not in _LOCALES:
        print(f"aviso: escuchando en {args.host}: cualquiera que llegue a esta máquina por la red podrá usar "
              f"la página. Sin --host sólo se escucha en 127.0.0.1 (este ordenador).", file=sys.stderr)
    try:
        clasificador = Clasificador(crear_modelo(args.modelo))
    except ErrorModelo as e:
        raise SystemExit(f"error: {e}") from None
    import numpy as np
    for _ in range(5):   # compila los núcleos y calienta la memoria antes de la primera petición
        clasificador.predecir(np.eye(28))
    try:
        voz = crear_clasificador_voz()
        t = np.arange(48000) / 48000
        for sr in (48000, 44100, 8000):   # compila el remuestreo y la red de voz
            voz.predecir((0.3 * np.sin(2 * np.pi * 300 * t[:sr // 2])).astype(np.float32), sr)
    except ErrorModelo as e:
        print(f"aviso: la página de voz no estará disponible ({e})", file=sys.stderr)
        voz = None
    sock = _socket(args.host, args.puerto)
    puerto = sock.getsockname()[1]
    anfitrion = f"[{args.host}]" if ":" in args.host else args.host
    config = uvicorn.Config(crear_app(clasificador, voz), log_level="warning", access_log=False,
                            limit_concurrency=200, timeout_keep_alive=5)
    servidor = uvicorn.Server(config)
    print(f"Página del dígito en http://{anfitrion}:{puerto}/ (el grafo en /grafo y la voz en /voz). "
          f"Ctrl+C para parar.",
          flush=True)
    servidor.run(sockets=[sock])
    return 0
