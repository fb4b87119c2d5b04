"""Un servidor ``tensorboard`` de verdad (arrancado y parado aquí, con plazos) sobre los eventos que
escribe ``SummaryWriter``, y Chromium sin pantalla que abre su página: la pestaña de escalares muestra
la ejecución y su curva (la interfaz de TensorBoard funciona sin conexión), y los valores que la
página pide a la API de datos del servidor son los escritos."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from _chromium import HAY_NAVEGADOR, MOTIVO, TEXTO_PROFUNDO, navegador

pytest.importorskip("tensorboard")
pytestmark = pytest.mark.skipif(not HAY_NAVEGADOR, reason=MOTIVO)

from tinygrad_es.utils.tensorboard import SummaryWriter  # noqa: E402

TAG = "exactitud/validación"


def _puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tensorboard(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("runs")
    with SummaryWriter(logdir / "voz_specaugment") as w:
        for paso, v in enumerate([0.61, 0.83, 0.92, 0.97]):
            w.add_scalar(TAG, v, paso)
    with SummaryWriter(logdir / "voz_sin_aumento") as w:
        for paso, v in enumerate([0.55, 0.78, 0.9]):
            w.add_scalar(TAG, v, paso)
    port = _puerto_libre()
    log = open(logdir.parent / "tensorboard.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir), "--host",
                             "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    fin = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/data/runs", timeout=2) as r:
                    if set(json.loads(r.read())) >= {"voz_specaugment", "voz_sin_aumento"}:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > fin:
                log.seek(0)
                pytest.fail(f"tensorboard no arrancó a tiempo:\n{log.read()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_scalars_visible_in_chromium(tensorboard, tmp_path):
    d = navegador(tmp_path / "perfil")
    try:
        d.get(tensorboard + "/#scalars")
        fin = time.monotonic() + 60
        texto = ""
        while time.monotonic() < fin:
            texto = d.execute_script(TEXTO_PROFUNDO)
            if all(s in texto for s in (TAG, "voz_specaugment", "voz_sin_aumento")):
                break
            time.sleep(0.5)
        assert TAG in texto and "voz_specaugment" in texto, texto[:500]
        # la gráfica está dibujada (una línea por ejecución en el SVG/canvas de la tarjeta)
        dibujado = d.execute_script("""
            const found = []; (function walk(n) { if (!n) return; if (n.shadowRoot) walk(n.shadowRoot);
              for (const c of n.children || []) { if (c.tagName === 'CANVAS' || c.tagName === 'path') found.push(c);
                walk(c); } })(document.body);
            return found.length;""")
        assert dibujado > 0
        # los valores, pedidos desde la propia página a la API de datos del servidor
        valores = d.execute_async_script("""
            const hecho = arguments[arguments.length - 1];
            fetch('data/plugin/scalars/scalars?tag=' + encodeURIComponent(arguments[0]) + '&run=voz_specaugment')
              .then(r => r.json()).then(hecho).catch(e => hecho(String(e)));""", TAG)
        assert [v[1] for v in valores] == [0, 1, 2, 3]
        assert [round(v[2], 4) for v in valores] == [0.61, 0.83, 0.92, 0.97]
        if os.environ.get("TINYGRAD_ES_CAPTURA_TB"):
            d.save_screenshot(os.environ["TINYGRAD_ES_CAPTURA_TB"])
    finally:
        d.quit()
