"""La página web: preprocesado, validación, API contra un servidor real en un
subproceso (exactitud, peticiones incorrectas, concurrencia, 127.0.0.1) y /api/grafo."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from _web_server import RAIZ, ServidorWeb, redibujados

from tinygrad_es.data import load_mnist_sample
from tinygrad_es.web.modelo import ErrorModelo, cargar_state_dict, crear_modelo
from tinygrad_es.web.peticion import PeticionIncorrecta, leer_imagen, leer_json
from tinygrad_es.web.preproceso import ImagenVacia, centro_de_masas, preprocesar, redimensionar


@pytest.fixture(scope="module")
def mnist_test():
    _, (x, y) = load_mnist_sample()   # 1 000 imágenes del test oficial, incluidas en el paquete
    return x.astype(np.float64) / 255.0, y


@pytest.fixture(scope="module")
def servidor():
    s = ServidorWeb()
    yield s
    s.parar()


# ---------------------------------------------------------------- preprocesado
def _caja(a, umbral=0.0):
    f = np.flatnonzero((a > umbral).any(axis=1))
    c = np.flatnonzero((a > umbral).any(axis=0))
    return f[0], f[-1], c[0], c[-1]


def test_preprocesado_recorta_escala_a_20_y_mantiene_la_proporcion():
    img = np.zeros((300, 200))
    img[50:210, 120:160] = 1.0          # 160 de alto × 40 de ancho, lejos del centro
    out = preprocesar(img).entrada
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.max() == pytest.approx(1.0) and out.min() >= 0
    f0, f1, c0, c1 = _caja(out, 0.5)
    assert (f1 - f0 + 1, c1 - c0 + 1) == (20, 5)    # proporción 4:1 conservada


def test_preprocesado_centro_de_masas_en_el_centro():
    rng = np.random.default_rng(0)
    n_bordes = []
    for _ in range(20):
        img = np.zeros((int(rng.integers(30, 90)), int(rng.integers(30, 90))))
        for _ in range(3):                # tres manchas al azar: un dibujo desequilibrado
            r, c = int(rng.integers(0, img.shape[0] - 8)), int(rng.integers(0, img.shape[1] - 8))
            img[r:r + 8, c:c + int(rng.integers(2, 8))] = rng.uniform(0.3, 1)
        out = preprocesar(img).entrada.astype(np.float64)
        cf, cc = centro_de_masas(out)
        f0, f1, c0, c1 = _caja(out)
        # a menos de medio píxel del centro, salvo si centrarlo sacaría tinta del marco
        assert abs(cf - 14) <= 0.5 or f0 == 0 or f1 == 27
        assert abs(cc - 14) <= 0.5 or c0 == 0 or c1 == 27
        if not (abs(cf - 14) <= 0.5 and abs(cc - 14) <= 0.5):
            n_bordes.append(1)
    assert len(n_bordes) <= 3   # los casos extremos son pocos


def test_preprocesado_deja_casi_igual_un_digito_de_mnist(mnist_test):
    x, _ = mnist_test
    dif = [np.abs(preprocesar(im).entrada - im).max() for im in x[:100]]
    assert np.median(dif) < 0.01   # MNIST ya está preprocesado así


def test_preprocesado_no_depende_de_la_escala_ni_la_posicion(mnist_test):
    x, _ = mnist_test
    dif, corr = [], []
    for im, grande in zip(x[:30], redibujados(x[:30], semilla=1)):
        a, b = preprocesar(im).entrada, preprocesar(grande).entrada
        dif.append(np.abs(a - b).mean())
        corr.append(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    # entre dos dígitos distintos la diferencia media es ~0.16; aquí sólo queda el remuestreo
    assert np.median(dif) < 0.03 and max(dif) < 0.1
    assert np.median(corr) > 0.95 and min(corr) > 0.8


def test_preprocesado_caja_devuelve_la_zona_del_dibujo(mnist_test):
    x, _ = mnist_test
    img = np.zeros((200, 300))
    img[40:124, 150:234] = redimensionar(x[0], 84, 84)   # el dígito ×3 con la esquina en (40, 150)
    cx, cy, ancho, alto = preprocesar(img).caja
    assert ancho == pytest.approx(84, abs=4) and alto == pytest.approx(84, abs=4)
    assert cx == pytest.approx(150, abs=4) and cy == pytest.approx(40, abs=4)


def test_redimensionar_conserva_la_tinta():
    rng = np.random.default_rng(0)
    img = rng.uniform(0, 1, (60, 45))
    assert redimensionar(img, 20, 15).mean() == pytest.approx(img.mean(), rel=1e-9)  # reducir: medias
    assert np.allclose(redimensionar(np.full((5, 3), 0.7), 20, 12), 0.7)             # ampliar: interpola


def test_preprocesado_imagen_vacia():
    with pytest.raises(ImagenVacia, match="no tiene tinta"):
        preprocesar(np.zeros((28, 28)))


# ---------------------------------------------------------------- validación (sin servidor)
@pytest.mark.parametrize("cuerpo, mensaje", [
    (b"", "vacío"), (b"hola", "no es JSON"), (b"\xff\xfe{}", "UTF-8"), (b"[" * 100_000, "anidado"),
    (b'{"imagen": NaN}', "NaN"), (b"[1, 2]", "objeto JSON"), (b'{"x": 1' , "no es JSON"),
])
def test_leer_json_rechaza(cuerpo, mensaje):
    with pytest.raises(PeticionIncorrecta, match=mensaje):
        leer_json(cuerpo)


def _img(v=0.0, alto=10, ancho=10):
    return [[v] * ancho for _ in range(alto)]


@pytest.mark.parametrize("datos, mensaje", [
    ({}, "falta el campo"), ({"imagen": "abc"}, "lista de filas"), ({"imagen": _img(alto=7)}, "7 filas"),
    ({"imagen": _img(ancho=1025)}, "1025 columnas"), ({"imagen": _img()[:9] + [[0.0] * 9]}, "longitudes"),
    ({"imagen": _img()[:9] + [5]}, "fila 9"), ({"imagen": [["0.5"] * 10] * 10}, "un texto"),
    ({"imagen": [[True] * 10] * 10}, "booleano"), ({"imagen": _img(1.5)}, "fuera de \\[0, 1\\]"),
    ({"imagen": _img(-0.1)}, "fuera de"), ({"imagen": [[None] * 10] * 10}, "null"),
    ({"imagen": _img(10 ** 400)}, "demasiado grande"), ({"imagen": [[]] * 10}, "0 columnas"),
])
def test_leer_imagen_rechaza(datos, mensaje):
    with pytest.raises(PeticionIncorrecta, match=mensaje):
        leer_imagen(datos)


def test_leer_imagen_acepta_enteros_y_no_cuadradas():
    a = leer_imagen({"imagen": [[0, 1] * 6] * 8})
    assert a.shape == (8, 12) and a.dtype == np.float64


# ---------------------------------------------------------------- modelo
def test_modelo_desde_npz(tmp_path, mnist_test):
    x, y = mnist_test
    m = crear_modelo()
    ruta = tmp_path / "pesos.npz"
    np.savez(ruta, **m.state_dict())
    assert set(cargar_state_dict(str(ruta))) == set(m.state_dict())
    m2 = crear_modelo(str(ruta))
    from tinygrad_es import Tensor, no_grad
    with no_grad():
        xb = Tensor(x[:50, None].astype(np.float32))
        assert np.array_equal(m(xb).data, m2(xb).data)
    with pytest.raises(ErrorModelo, match="no existe"):
        crear_modelo(str(tmp_path / "no.npz"))
    (tmp_path / "roto.npz").write_bytes(b"esto no es un zip")
    with pytest.raises(ErrorModelo, match="no es un .npz"):
        crear_modelo(str(tmp_path / "roto.npz"))
    np.savez(tmp_path / "otro.npz", w=np.zeros(3))
    with pytest.raises(ErrorModelo, match="no es un state_dict de SimpleCNN"):
        crear_modelo(str(tmp_path / "otro.npz"))
    with pytest.raises(ErrorModelo, match="no soportado"):
        (tmp_path / "m.txt").write_text("x")
        crear_modelo(str(tmp_path / "m.txt"))


# ---------------------------------------------------------------- la API, contra el servidor real
def test_api_predice_digitos_de_mnist(servidor, mnist_test):
    x, y = mnist_test
    n = 200
    aciertos = 0
    for im, etiqueta in zip(x[:n], y[:n]):
        estado, r = servidor.predecir(np.round(im, 3).tolist())
        assert estado == 200
        aciertos += r["clase"] == etiqueta
    assert aciertos / n >= 0.97
    assert isinstance(r["clase"], int) and len(r["probabilidades"]) == 10
    assert sum(r["probabilidades"]) == pytest.approx(1, abs=1e-4)
    assert r["clase"] == int(np.argmax(r["probabilidades"]))
    assert np.array(r["entrada"]).shape == (28, 28) and np.array(r["mapa"]).shape == (28, 28)
    assert len(r["caja"]) == 4


def test_api_digitos_a_otra_escala_y_descentrados(servidor, mnist_test):
    x, y = mnist_test
    n = 100
    aciertos = 0
    for im, etiqueta in zip(redibujados(x[200:200 + n], semilla=2), y[200:200 + n]):
        estado, r = servidor.predecir(np.round(im, 3).tolist())
        assert estado == 200
        aciertos += r["clase"] == etiqueta
    assert aciertos / n >= 0.95


def test_api_tamanos_admitidos(servidor, mnist_test):
    x, _ = mnist_test
    for alto, ancho in [(8, 8), (8, 1024), (1024, 8), (30, 200)]:
        img = np.zeros((alto, ancho))
        img[alto // 4:alto // 2 + 1, ancho // 4:ancho // 2 + 1] = 1
        estado, r = servidor.predecir(img.tolist())
        assert estado == 200 and 0 <= r["clase"] <= 9
    estado, r = servidor.predecir(np.zeros((28, 28)).tolist())
    assert estado == 422 and "tinta" in r["error"]


def _json(n=10, v="0.5"):
    return ('{"imagen": [' + ",".join(["[" + ",".join([v] * n) + "]"] * n) + "]}").encode()


MAL = [  # (método, ruta, cuerpo, estado esperado, fragmento del mensaje)
    ("POST", "/api/predecir", b"esto no es JSON", 400, "no es JSON"),
    ("POST", "/api/predecir", b'{"imagen": "\xff\xfe"}', 400, "UTF-8"),
    ("POST", "/api/predecir", b"[" * 200_000 + b"]" * 200_000, 400, "anidado"),
    ("POST", "/api/predecir", b'{"foto": [[0]]}', 400, "falta el campo"),
    ("POST", "/api/predecir", b'{"imagen": [' + b"[0,0,0,0,0,0,0,0]," * 8 + b"[0,0]]}", 400, "longitudes"),
    ("POST", "/api/predecir", _json(7), 400, "7 filas"),
    ("POST", "/api/predecir", _json(1025, "0"), 413, "1 MB"),
    ("POST", "/api/predecir", b'{"imagen": [' + b"[0]," * 1024 + b"[0]]}", 400, "1025 filas"),
    ("POST", "/api/predecir", _json(10, "NaN"), 400, "NaN"),
    ("POST", "/api/predecir", _json(10, "Infinity"), 400, "Infinity"),
    ("POST", "/api/predecir", _json(10, "1e999"), 400, "fuera de"),
    ("POST", "/api/predecir", _json(10, '"0.5"'), 400, "texto"),
    ("POST", "/api/predecir", _json(10, "1.5"), 400, "fuera de"),
    ("POST", "/api/predecir", _json(10, "-1"), 400, "fuera de"),
    ("POST", "/api/predecir", b'{"imagen": ' + b"0," * 600_000 + b"0}", 413, "1 MB"),
    ("GET", "/api/predecir", None, 405, "método no permitido"),
    ("PUT", "/api/predecir", _json(), 405, "método no permitido"),
    ("DELETE", "/api/predecir", None, 405, "método no permitido"),
    ("PATCH", "/api/predecir", _json(), 405, "método no permitido"),
    ("GET", "/no/existe", None, 404, "no existe"),
    ("GET", "/static/../server.py", None, 404, "no existe"),
    ("GET", "/static/..%2fserver.py", None, 404, "no existe"),
    ("GET", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", None, 404, "no existe"),
    ("GET", "/../../../../etc/passwd", None, 404, "no existe"),
]


@pytest.mark.parametrize("metodo, ruta, cuerpo, esperado, fragmento", MAL,
                         ids=[f"{m} {r[:25]} {e}" for m, r, _, e, _f in MAL])
def test_api_peticiones_incorrectas(servidor, metodo, ruta, cuerpo, esperado, fragmento):
    t0 = time.perf_counter()
    estado, cab, resp = servidor.pedir(metodo, ruta, cuerpo, {"Content-Type": "application/json"})
    assert time.perf_counter() - t0 < 1.0
    assert estado == esperado
    assert cab["content-type"].startswith("application/json")
    error = json.loads(resp)["error"]
    assert fragmento in error
    # y el servidor sigue contestando bien
    ok, r = servidor.predecir(np.eye(28).tolist())
    assert ok == 200 and 0 <= r["clase"] <= 9


def _crudo(servidor, datos: bytes, timeout=3.0):
    """Envía bytes tal cual (sin cliente HTTP que los corrija) y lee la respuesta."""
    import http.client
    s = socket.create_connection((servidor.host, servidor.port), timeout=timeout)
    try:
        s.sendall(datos)
        r = http.client.HTTPResponse(s)
        r.begin()
        return r.status, r.read()
    finally:
        s.close()


def test_api_cuerpo_grande_sin_content_length_y_expect(servidor):
    t0 = time.perf_counter()
    trozo = b"0," * 50_000
    pedazos = b"".join(b"%x\r\n%s\r\n" % (len(trozo), trozo) for _ in range(12)) + b"0\r\n\r\n"
    estado, cuerpo = _crudo(servidor, b"POST /api/predecir HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                      b"Content-Type: application/json\r\n\r\n" + pedazos)
    assert estado == 413 and "1 MB" in json.loads(cuerpo)["error"]
    # un cliente que anuncia 10 GB y espera permiso no recibe el permiso: 413 sin leer nada
    estado, cuerpo = _crudo(servidor, b"POST /api/predecir HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000000\r\n"
                                      b"Expect: 100-continue\r\n\r\n")
    assert estado == 413
    estado, cuerpo = _crudo(servidor, b"GET /static/../../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n")
    assert estado == 404 and b"root:" not in cuerpo
    assert time.perf_counter() - t0 < 3.0


def test_api_conexiones_concurrentes(servidor, mnist_test):
    x, y = mnist_test
    ociosas = []
    for datos in (b"", b"POST /api/predecir HTTP/1.1\r\nHost: a\r\n",
                  b"POST /api/predecir HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{\"imagen\": "):
        s = socket.create_connection((servidor.host, servidor.port), timeout=5)
        s.sendall(datos)
        ociosas.append(s)   # abiertas y quietas: no deben bloquear a nadie
    try:
        t0 = time.perf_counter()
        estado, r = servidor.predecir(np.round(x[0], 3).tolist())
        assert estado == 200 and r["clase"] == y[0]
        assert time.perf_counter() - t0 < 1.0
        resultados, errores = {}, []

        def cliente(k):
            try:
                for i in range(k * 5, k * 5 + 5):
                    resultados[i] = servidor.predecir(np.round(x[i], 3).tolist())
            except Exception as e:  # se comprueba abajo
                errores.append(e)

        hilos = [threading.Thread(target=cliente, args=(k,)) for k in range(8)]
        for h in hilos:
            h.start()
        for h in hilos:
            h.join(30)
        assert not errores and len(resultados) == 40
        assert all(e == 200 for e, _ in resultados.values())
        aciertos = sum(resultados[i][1]["clase"] == y[i] for i in range(40))
        assert aciertos >= 38
    finally:
        for s in ociosas:
            s.close()


def test_servidor_escucha_solo_en_127_0_0_1(servidor):
    assert servidor.host == "127.0.0.1"
    if os.path.exists("/proc/net/tcp"):   # Linux: dirección local de los sockets en escucha (estado 0A)
        with open("/proc/net/tcp") as f:
            locales = [ln.split()[1] for ln in f.readlines()[1:] if ln.split()[3] == "0A"]
        assert f"0100007F:{servidor.port:04X}" in locales
        assert f"00000000:{servidor.port:04X}" not in locales
    with pytest.raises(OSError):   # otra dirección de esta máquina: nadie escucha ahí
        socket.create_connection(("127.0.0.2", servidor.port), timeout=2).close()
    estado, _, cuerpo = servidor.pedir("GET", "/")
    assert estado == 200 and b'id="lienzo"' in cuerpo


def test_cli_web_avisos_y_errores():
    r = subprocess.run([sys.executable, "-m", "tinygrad_es", "web", "--host", "127.0.0.2", "--modelo",
                        "no_existe.npz"], cwd=RAIZ, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "aviso: escuchando en 127.0.0.2" in r.stderr
    assert "no existe el fichero de modelo" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "tinygrad_es", "web", "--puerto", "abc"], cwd=RAIZ,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "el puerto debe ser un número" in r.stderr


# ---------------------------------------------------------------- /grafo
def test_api_grafo(servidor):
    estado, _, cuerpo = servidor.pedir("POST", "/api/grafo", {"expresion": "(x+y)*z",
                                                               "valores": {"x": 2, "y": 3, "z": 4}})
    assert estado == 200
    r = json.loads(cuerpo)
    assert r["valor"] == 20 and r["gradientes"] == {"x": 4, "y": 4, "z": 5}
    assert len(r["pasos"]) == 5   # f, q, z, x, y: un paso por nodo
    assert "∂f/∂z" in r["texto"]
    if r["svg"] is not None:   # con Graphviz: el grafo completo y un fotograma por paso
        assert r["svg"].lstrip().startswith("<?xml") and "<svg" in r["svg"]
        assert all("<svg" in p["svg"] for p in r["pasos"])
    estado, _, cuerpo = servidor.pedir("GET", "/grafo")
    assert estado == 200 and b'id="expresion"' in cuerpo


@pytest.mark.parametrize("datos, fragmento", [
    ({"expresion": "__import__('os').system('echo hola')"}, "no permitido"),
    ({"expresion": "x.__class__", "valores": {"x": 1}}, "no permitido"),
    ({"expresion": "x*y", "valores": {"x": 1}}, "falta el valor de la variable 'y'"),
    ({"expresion": "x" + "+x" * 150, "valores": {"x": 1}}, "demasiado larga"),
    ({"expresion": "x", "valores": {"x": "dos"}}, "número finito"),
    ({"expresion": "x", "valores": [1]}, "valores"),
    ({"valores": {}}, "falta la expresión"),
    ({"expresion": "(x" + "+x" * 25 + ")*x", "valores": {"x": 1}}, "nodos"),
])
def test_api_grafo_rechaza(servidor, datos, fragmento):
    estado, _, cuerpo = servidor.pedir("POST", "/api/grafo", datos)
    assert estado == 400 and fragmento in json.loads(cuerpo)["error"]


def test_modelo_desde_pt_de_tinygrad_es_y_checkpoint(tmp_path):
    import tinygrad_es as torch
    m = crear_modelo()
    ruta = tmp_path / "modelo.pt"
    torch.save(m.state_dict(), ruta)
    m2 = crear_modelo(str(ruta))
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        np.testing.assert_array_equal(m(x).numpy(), m2(x).numpy())
    ckpt = tmp_path / "ckpt.pt"
    torch.save({"epoch": 3, "model_state_dict": m.state_dict()}, ckpt)
    assert set(cargar_state_dict(str(ckpt))) == set(m.state_dict())
    malo = tmp_path / "malo.pt"
    malo.write_bytes(b"esto no es un checkpoint")
    with pytest.raises(ErrorModelo, match="malo.pt"):
        cargar_state_dict(str(malo))
