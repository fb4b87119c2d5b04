"""Chromium sin pantalla para los tests de páginas (las mismas opciones que ``test_web_browser.py``).
``navegador(perfil, *opciones)`` devuelve un driver de selenium; quien lo crea lo cierra."""
import os
import shutil

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
CHROMEDRIVER = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver")
                     if p and os.path.exists(p)), None)
HAY_NAVEGADOR = CHROMIUM is not None and CHROMEDRIVER is not None
MOTIVO = "no hay Chromium/chromedriver (apt-get install chromium chromium-driver)"

BASE = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--window-size=1200,900")

# texto visible de la página, entrando en los shadow DOM (TensorBoard usa componentes web)
TEXTO_PROFUNDO = """
function deep(n) { let s = ''; if (n.shadowRoot) s += deep(n.shadowRoot);
  for (const c of n.childNodes) { if (c.nodeType === 3) s += c.textContent + ' '; else s += deep(c); }
  return s; }
return deep(document.body);
"""


def navegador(perfil, *opciones):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    op = webdriver.ChromeOptions()
    op.binary_location = CHROMIUM
    for flag in BASE + tuple(opciones) + (f"--user-data-dir={perfil}",):
        op.add_argument(flag)
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=op)
    d.set_page_load_timeout(30)
    d.set_script_timeout(30)
    return d
