"""La página en un Chromium real sin pantalla (selenium + chromedriver de Debian): se dibujan
dígitos del test de MNIST trazo a trazo con el ratón y se lee ``#prediccion``.

Se salta sólo si no hay navegador (``chromium`` y ``chromedriver``). Con
``TINYGRAD_ES_CAPTURA=docs/web.png`` guarda ahí la captura de la página (la del README).
"""
import os
import shutil
import time

import numpy as np
import pytest

from _web_server import RAIZ, ServidorWeb

from tinygrad_es.data import load_mnist_sample

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             "/usr/bin/chromium") if p and os.path.exists(p)), None)
CHROMEDRIVER = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver")
                     if p and os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                reason="no hay Chromium/chromedriver (apt-get install chromium chromium-driver)")

LADO = 280   # el lienzo de la página


@pytest.fixture(scope="module")
def servidor():
    s = ServidorWeb()
    yield s
    s.parar()


@pytest.fixture(scope="module")
def navegador(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    op = webdriver.ChromeOptions()
    op.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1100,760", f"--user-data-dir={tmp_path_factory.mktemp('perfil')}"):
        op.add_argument(flag)
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=op)
    d.set_page_load_timeout(30)
    yield d
    d.quit()


def _digitos(k):
    """El ``k``-ésimo ejemplo de cada clase del test oficial de MNIST (muestra incluida)."""
    _, (x, y) = load_mnist_sample()
    idx = [np.flatnonzero(y == c)[k] for c in range(10)]
    return x[idx].astype(np.float64) / 255.0, y[idx]


@pytest.fixture(scope="module")
def digitos():
    return _digitos(0)


def adelgazar(tinta):
    """Esqueleto de un dígito binario (algoritmo de Zhang y Suen): líneas de un píxel de
    ancho por el centro de cada trazo."""
    img = np.pad(tinta, 1).astype(np.uint8)
    cambiado = True
    while cambiado:
        cambiado = False
        for paso in (0, 1):
            quitar = []
            for y, x in zip(*np.nonzero(img)):
                # vecinos P2..P9 en el sentido de las agujas del reloj, empezando por arriba
                P = [img[y - 1, x], img[y - 1, x + 1], img[y, x + 1], img[y + 1, x + 1],
                     img[y + 1, x], img[y + 1, x - 1], img[y, x - 1], img[y - 1, x - 1]]
                transiciones = sum(P[i] == 0 and P[(i + 1) % 8] == 1 for i in range(8))
                if not (2 <= sum(P) <= 6 and transiciones == 1):
                    continue
                if paso == 0 and P[0] * P[2] * P[4] == 0 and P[2] * P[4] * P[6] == 0:
                    quitar.append((y, x))
                if paso == 1 and P[0] * P[2] * P[6] == 0 and P[0] * P[4] * P[6] == 0:
                    quitar.append((y, x))
            for y, x in quitar:
                img[y, x] = 0
            cambiado = cambiado or bool(quitar)
    return img[1:-1, 1:-1].astype(bool)


def trazos_de(digito, escala, x0, y0, umbral=0.5):
    """Convierte un dígito 28×28 en los trazos con que se dibujaría: se adelgaza hasta su
    esqueleto y se recorre, empezando por los extremos, en caminos de píxeles vecinos. Cada
    camino es un trazo: una lista de puntos del lienzo (``escala`` píxeles por píxel de
    MNIST, con el origen en (x0, y0))."""
    pix = set(zip(*np.nonzero(adelgazar(digito > umbral))))

    def vecinos(p):
        return [(p[0] + dy, p[1] + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                if (dy or dx) and (p[0] + dy, p[1] + dx) in pix]

    visto, caminos = set(), []
    for inicio in sorted(pix, key=lambda p: (len(vecinos(p)) != 1, p)):   # extremos primero
        if inicio in visto:
            continue
        camino, p = [inicio], inicio
        visto.add(p)
        while True:
            libres = [q for q in vecinos(p) if q not in visto]
            if not libres:
                break
            p = min(libres, key=lambda q: abs(q[0] - p[0]) + abs(q[1] - p[1]))   # mejor recto que en diagonal
            camino.append(p)
            visto.add(p)
        caminos.append(camino)
    return [[(x0 + (c + 0.5) * escala, y0 + (f + 0.5) * escala) for f, c in camino] for camino in caminos]


def dibujar(d, trazos):
    """Cada trazo: mover el ratón al primer punto, pulsar, pasar por los demás y soltar."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    lienzo = d.find_element(By.ID, "lienzo")
    acciones = ActionChains(d, duration=0)

    def ir(x, y):   # las coordenadas de selenium son relativas al centro del elemento
        acciones.move_to_element_with_offset(lienzo, int(round(x - LADO / 2)), int(round(y - LADO / 2)))

    for trazo in trazos:
        ir(*trazo[0])
        acciones.click_and_hold()
        for punto in trazo[1:]:
            ir(*punto)
        acciones.release()
    acciones.perform()


def esperar_prediccion(d, n_trazos, limite=20.0):
    """Espera a que ``#prediccion`` corresponda al dibujo con ``n_trazos`` trazos; devuelve
    su texto y los ms que midió la página desde el fin del último trazo hasta mostrarla."""
    from selenium.webdriver.common.by import By
    p = d.find_element(By.ID, "prediccion")
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        if p.get_attribute("data-trazos") == str(n_trazos):
            return p.text, float(p.get_attribute("data-ms"))
        time.sleep(0.02)
    raise AssertionError(f"#prediccion no se actualizó (trazos: {p.get_attribute('data-trazos')} de {n_trazos}); "
                         f"estado: {d.find_element(By.ID, 'estado').text!r}")


def borrar(d):
    from selenium.webdriver.common.by import By
    d.find_element(By.ID, "borrar").click()
    assert d.find_element(By.ID, "prediccion").text == "–"


def _reconocer(d, digitos, escala, origen):
    x, y = digitos
    aciertos, esperas = 0, []
    for img, etiqueta in zip(x, y):
        trazos = trazos_de(img, escala, *origen(img))
        dibujar(d, trazos)
        texto, ms = esperar_prediccion(d, len(trazos))
        esperas.append(ms)
        aciertos += texto == str(etiqueta)
        borrar(d)
    return aciertos, esperas


def test_dibujar_digitos_de_mnist(servidor, navegador, digitos):
    d = navegador
    d.get(servidor.url + "/")
    assert "Dibuja un número" in d.title
    aciertos, esperas = _reconocer(d, digitos, 10, lambda img: (0, 0))   # a la escala del lienzo
    assert aciertos >= len(digitos[1]) - 1, f"{aciertos} de {len(digitos[1])}"
    assert max(esperas) < 1000, f"la predicción tardó {max(esperas):.0f} ms tras el último trazo"


def test_dibujar_pequeno_y_descentrado(servidor, navegador):
    d = navegador
    d.get(servidor.url + "/")
    rng = np.random.default_rng(0)
    otros = _digitos(1)
    # a 6 px por píxel (60 % del tamaño) y en un sitio al azar del lienzo
    aciertos, _ = _reconocer(d, otros, 6, lambda img: tuple(rng.integers(0, LADO - 6 * 28, 2)))
    assert aciertos >= len(otros[1]) - 1, f"{aciertos} de {len(otros[1])}"


def test_paneles_y_captura(servidor, navegador, digitos, tmp_path):
    from selenium.webdriver.common.by import By
    d = navegador
    d.get(servidor.url + "/")
    x, y = digitos
    trazos = trazos_de(x[2], 8, 40, 20)
    dibujar(d, trazos)
    assert esperar_prediccion(d, len(trazos))[0] == "2"
    barras = d.find_elements(By.CSS_SELECTOR, "#probabilidades .barra")
    assert len(barras) == 10
    anchos = [float(b.get_attribute("style").split("width:")[1].split("%")[0]) for b in barras]
    assert sum(anchos) == pytest.approx(100, abs=1) and int(np.argmax(anchos)) == 2
    # los lienzos de "¿qué ve la red?" tienen algo pintado
    for lienzo in ("entrada", "atencion"):
        pintados = d.execute_script(
            "const c = document.getElementById(arguments[0]);"
            "const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "let n = 0; for (let k = 0; k < a.length; k += 4) if (a[k] > 0 || a[k + 3] > 0 && a[k] < 250) n++;"
            "return n;", lienzo)
        assert pintados > 100, lienzo
    assert "def preprocesar" in d.find_element(By.ID, "codigo").get_attribute("textContent")
    # sin conexión: todo lo que cargó la página vino de nuestro servidor
    recursos = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert recursos and all(r.startswith(servidor.url) for r in recursos), recursos
    # el pie de la captura del README nombra el dígito que se dibuja aquí (antes decía un 3 y mostraba un 2)
    readme = open(os.path.join(RAIZ, "README.md"), encoding="utf-8").read()
    pie = readme[readme.index("](docs/web.png)") - 120:readme.index("](docs/web.png)")]
    assert "con un 2 dibujado" in pie.rsplit("![", 1)[1], pie
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(str(tmp_path / "web.png"))
    destino = os.environ.get("TINYGRAD_ES_CAPTURA")
    if destino:
        shutil.copy(tmp_path / "web.png", os.path.join(RAIZ, destino))


def test_pagina_grafo(servidor, navegador):
    from selenium.webdriver.common.by import By
    d = navegador
    d.get(servidor.url + "/grafo")
    # antes de pulsar «Dibujar» no hay imagen rota: la <img> sin grafo no se muestra
    img = d.find_element(By.ID, "grafo")
    assert not img.is_displayed()
    assert d.execute_script("return arguments[0].getBoundingClientRect().width", img) == 0
    assert not d.execute_script("const i = arguments[0]; return i.complete && i.src !== '' && i.naturalWidth === 0", img)
    assert "Dibujar" in d.find_element(By.ID, "paso-texto").text
    campo = d.find_element(By.ID, "expresion")
    campo.clear()
    campo.send_keys("tanh(w*x + b)")
    valores = d.find_element(By.ID, "valores")
    valores.clear()
    valores.send_keys("w=2, x=-1, b=0.5")
    d.find_element(By.ID, "dibujar").click()
    paso = d.find_element(By.ID, "paso")
    fin = time.monotonic() + 10
    while not paso.text.startswith("Paso 1 de") and time.monotonic() < fin:
        time.sleep(0.05)
    assert paso.text == "Paso 1 de 6", paso.text
    assert "f = -0.905" in d.find_element(By.ID, "resultado").text
    vistos = [d.find_element(By.ID, "paso-texto").text]
    siguiente = d.find_element(By.ID, "siguiente")
    while siguiente.is_enabled():
        siguiente.click()
        vistos.append(d.find_element(By.ID, "paso-texto").text)
    assert paso.text == "Paso 6 de 6" and len(set(vistos)) == 6
    assert "∂f/∂w" in " ".join(vistos)
    if shutil.which("dot"):
        assert img.is_displayed()
        assert img.get_attribute("src").startswith("data:image/svg+xml")
        assert d.execute_script("return arguments[0].naturalWidth", img) > 0
    # un error se explica en español en la página
    campo.clear()
    campo.send_keys("__import__('os')")
    d.find_element(By.ID, "dibujar").click()
    estado = d.find_element(By.ID, "estado")
    fin = time.monotonic() + 5
    while "no permitido" not in estado.text and time.monotonic() < fin:
        time.sleep(0.05)
    assert "no permitido" in estado.text
