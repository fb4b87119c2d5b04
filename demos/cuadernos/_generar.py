"""Genera los cuadernos de Jupyter de esta carpeta a partir de sus fuentes en ``fuentes/``.

Cada fuente es un ``.py`` en formato «percent»: ``# %% [markdown]`` abre una celda de texto
(cada línea empieza por ``# ``) y ``# %%`` una de código. Así los cuadernos se revisan como
texto y los ``.ipynb`` se guardan sin salidas.

    python demos/cuadernos/_generar.py              # reescribe los .ipynb
    python demos/cuadernos/_generar.py --comprobar  # falla si alguno no está al día
"""
from __future__ import annotations

import os
import sys

import nbformat

AQUI = os.path.dirname(os.path.abspath(__file__))
FUENTES = os.path.join(AQUI, "fuentes")


def celdas(texto: str) -> list:
    """Trocea una fuente «percent» en celdas de nbformat (ids deterministas)."""
    out, tipo, lineas = [], None, []

    def cerrar():
        if tipo is None:
            return
        cuerpo = "\n".join(lineas).strip("\n")
        if tipo == "markdown":
            cuerpo = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in cuerpo.splitlines())
            celda = nbformat.v4.new_markdown_cell(cuerpo)
        else:
            celda = nbformat.v4.new_code_cell(cuerpo)
        celda["id"] = f"celda-{len(out):02d}"
        out.append(celda)

    for ln in texto.splitlines():
        if ln.startswith("# %%"):
            cerrar()
            tipo, lineas = ("markdown" if "[markdown]" in ln else "code"), []
        elif tipo is not None:
            lineas.append(ln)
    cerrar()
    return out


def cuaderno(ruta_fuente: str):
    with open(ruta_fuente, encoding="utf-8") as f:
        nb = nbformat.v4.new_notebook(cells=celdas(f.read()))
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


def generar() -> dict:
    """{nombre.ipynb: texto JSON} para cada fuente."""
    out = {}
    for nombre in sorted(os.listdir(FUENTES)):
        if nombre.endswith(".py") and nombre[:2].isdigit():
            nb = cuaderno(os.path.join(FUENTES, nombre))
            nbformat.validate(nb)
            out[nombre[:-3] + ".ipynb"] = nbformat.writes(nb) + "\n"
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    comprobar = "--comprobar" in argv
    malos = []
    for nombre, texto in generar().items():
        ruta = os.path.join(AQUI, nombre)
        actual = open(ruta, encoding="utf-8").read() if os.path.exists(ruta) else None
        if actual == texto:
            continue
        if comprobar:
            malos.append(nombre)
        else:
            with open(ruta, "w", encoding="utf-8") as f:
                f.write(texto)
            print(f"escrito {nombre}")
    if malos:
        print("cuadernos desactualizados (ejecuta python demos/cuadernos/_generar.py): " + ", ".join(malos))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
