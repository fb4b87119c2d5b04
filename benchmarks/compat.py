"""Tarjeta de compatibilidad con PyTorch: su propia base de datos OpInfo, operador por operador.

Para cada OpInfo de ``op_db`` cuyo operador ofrece tinygrad_es (``torch.X``, ``Tensor.X`` o
``F.X``), sus muestras en float32, float64, int64 y bool (las que el OpInfo declara; 4 por dtype
salvo ``--max-samples 0``), con el gradiente de cada entrada, y sus entradas erróneas (la lógica
está en ``tests/compat_harness.py``). Cada operador queda como ``matches`` (coincide), ``differs``
(algún valor, dtype, forma o gradiente distinto sin avisar), ``error`` (lanza donde PyTorch
funciona) o ``missing`` (no tenemos el nombre). Imprime la tabla por familias y la de clases, y
escribe ``benchmarks/results/compat.json`` y ``docs/compatibilidad.md``. Necesita torch y
expecttest.

    python benchmarks/compat.py                  # todo, unos minutos
    python benchmarks/compat.py --op add --op nn.functional.relu -v   # sólo esos, con los fallos
    python benchmarks/compat.py --max-samples 0  # todas las muestras (mucho más largo)
"""
from __future__ import annotations

import argparse
import collections
import datetime
import fnmatch
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import compat_harness as H  # noqa: E402


def sweep(ops=None, max_samples=None, second_order=False, timeout=60, max_errors=None, dtypes=H.DTYPES,
          verbose=False):
    import torch
    from torch.testing._internal.common_methods_invocations import op_db

    import tinygrad_es as tg

    torch.set_default_dtype(torch.float32)
    known = H.load_known()
    records, missing = [], []
    for op in op_db:
        name = H.full_name(op)
        if ops and not any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(op.name, p) for p in ops):
            continue
        try:
            rec = H.run_op(op, tg, dtypes=dtypes, max_samples=max_samples, max_errors=max_errors, timeout=timeout,
                           second_order=second_order, known=known)
        except Exception as e:  # noqa: BLE001 - un fallo del arnés en un operador no para el barrido
            rec = {"op": name, "family": H.family(op), "as": "?", "samples": collections.Counter(),
                   "grads": collections.Counter(), "errors": collections.Counter(), "status": "error",
                   "failures": [{"dtype": "*", "kind": "error", "msg": f"arnés: {type(e).__name__}: {e}"[:300]}]}
        if rec is None:
            missing.append({"op": name, "family": H.family(op), "status": "missing"})
            continue
        records.append(rec)
        if verbose:
            _print_op(rec)
    return records, missing


def _print_op(rec):
    s, g, e = rec["samples"], rec["grads"], rec["errors"]
    print(f"{rec['op']:<40} {rec['status']:<8} {rec['as']:<30} muestras {s['pass']}/{s['total']}  grad {g['pass']}/{g['total']}  "
          f"errores {e['matched'] + e['raised']}/{e['total']}")
    for f in rec["failures"]:
        tag = "  (excusado)" if f.get("excused") else ""
        print(f"    [{f['dtype']}] {f['kind']}{tag}: {f.get('sample', '')[:120]} → {f['msg'][:240]}")


def summarize(records):
    fams = {f: collections.Counter() for f in H.FAMILIES}
    for r in records:
        c = fams[r["family"]]
        c["ops"] += 1
        for k, v in r["samples"].items():
            c["s_" + k] += v
        for k, v in r["grads"].items():
            c["g_" + k] += v
        for k, v in r["errors"].items():
            c["e_" + k] += v
        c["silent"] += sum(1 for f in r["failures"] if f["kind"] in H.SILENT)
        c["silent_excused"] += sum(1 for f in r["failures"] if f["kind"] in H.SILENT and f.get("excused"))
    return fams


def _pct(a, b):
    return f"{100 * a / b:5.1f} %" if b else "   —  "


def table(fams, markdown=False):
    head = ("familia", "operadores", "muestras que pasan", "gradientes que pasan", "errores detectados (clase)",
            "silenciosos")
    rows = []
    tot = collections.Counter()
    for f, c in fams.items():
        if not c["ops"]:
            continue
        tot.update(c)
        rows.append(_row(f, c))
    rows.append(_row("total", tot))
    cc = collections.Counter()
    for f in H.COURSE:
        cc.update(fams[f])
    rows.append(_row("curso (las 10 primeras)", cc))
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    w = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    out = ["  ".join(h.ljust(w[i]) for i, h in enumerate(head))]
    out += ["  ".join(x.ljust(w[i]) for i, x in enumerate(r)) for r in rows]
    return "\n".join(out)


def _row(name, c):
    return (name, str(c["ops"]),
            f"{c['s_pass']}/{c['s_total']} ({_pct(c['s_pass'], c['s_total']).strip()})",
            f"{c['g_pass']}/{c['g_total']} ({_pct(c['g_pass'], c['g_total']).strip()})",
            f"{c['e_matched'] + c['e_raised']}/{c['e_total']} ({c['e_matched']})",
            str(c["silent"]))


STATUS = ("matches", "differs", "error", "untested", "missing")
STATUS_ES = {"matches": "coincide", "differs": "difiere", "error": "error", "untested": "sin muestras",
             "missing": "falta"}


def status_totals(records, missing, families=None):
    """Cuántos OpInfo hay en cada clase (``matches``/``differs``/``error``/``untested``/``missing``)."""
    c = collections.Counter({k: 0 for k in STATUS})
    for r in list(records) + list(missing):
        if families is None or r["family"] in families:
            c[r["status"]] += 1
    c["total"] = sum(c[k] for k in STATUS)
    return dict(c)


def status_table(records, missing, markdown=False):
    rows = [("todos los OpInfo", status_totals(records, missing)),
            ("los del curso", status_totals(records, missing, set(H.COURSE)))]
    head = ("", *(STATUS_ES[k] for k in STATUS), "total", "coinciden")
    body = [(n, *(str(t[k]) for k in STATUS), str(t["total"]), _pct(t["matches"], t["total"]).strip())
            for n, t in rows]
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                         + ["| " + " | ".join(r) + " |" for r in body])
    w = [max(len(x[i]) for x in body + [head]) for i in range(len(head))]
    return "\n".join("  ".join(x[i].ljust(w[i]) for i in range(len(head))) for x in [head] + body)


def markdown_report(records, missing, fams, meta):
    """El resumen en Markdown (``docs/compatibilidad.md``)."""
    lines = [f"# Compatibilidad con PyTorch: la tarjeta OpInfo",
             "",
             f"Medida el {meta['date']} con torch {meta['torch']} por `python benchmarks/compat.py` "
             f"(dtypes {', '.join(meta['dtypes'])}; como mucho {meta['max_samples'] or 'todas las'} muestras por "
             "operador y dtype). Cada OpInfo de `torch.testing._internal.common_methods_invocations.op_db` se "
             "busca en tinygrad_es como `torch.X`, `Tensor.X` o `F.X`; sus muestras se pasan a los dos y se "
             "comparan valor, dtype, forma y el gradiente de cada entrada (mismo gradiente de salida "
             "aleatorio; tolerancias por defecto de `torch.testing.assert_close`).",
             "",
             "**coincide**: todas las muestras dan lo mismo que PyTorch; **difiere**: alguna da otro valor, dtype, "
             "forma o gradiente sin avisar; **error**: alguna que PyTorch acepta lanza aquí; **falta**: tinygrad_es "
             "no tiene el nombre. Las diferencias excusadas (con su razón) están en `tests/known_differences.md`.",
             "",
             status_table(records, missing, markdown=True),
             "",
             "## Por familias",
             "",
             table(fams, markdown=True),
             ""]
    for st, title in (("differs", "Operadores que difieren"), ("error", "Operadores con errores")):
        rs = [r for r in records if r["status"] == st]
        if not rs:
            continue
        lines += [f"## {title} ({len(rs)})", "", "| operador | como | primer fallo |", "|---|---|---|"]
        for r in sorted(rs, key=lambda r: r["op"]):
            f = next(f for f in r["failures"] if not f.get("excused") and f["kind"] not in ("skip", "error_input")
                     and (f["kind"] in H.SILENT) == (st == "differs"))
            msg = f"[{f['dtype']}] {f['kind']}: {f['msg']}".replace("|", "\\|").replace("\n", " ")[:160]
            lines.append(f"| `{r['op']}` | `{r['as']}` | {msg} |")
        lines.append("")
    miss = sorted(m["op"] for m in missing)
    lines += [f"## Sin equivalente en tinygrad_es ({len(miss)})", "", ", ".join(f"`{m}`" for m in miss), ""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description="Tarjeta de compatibilidad OpInfo de tinygrad_es frente a PyTorch")
    p.add_argument("--op", action="append", help="sólo estos operadores (comodines; se puede repetir)")
    p.add_argument("--max-samples", type=int, default=4,
                   help="muestras por operador y dtype (0 = todas; por defecto 4: unos minutos)")
    p.add_argument("--dtype", action="append", choices=H.DTYPES, help="sólo estos dtypes (se puede repetir)")
    p.add_argument("--segundo-orden", action="store_true", help="comprueba también las derivadas segundas")
    p.add_argument("-v", "--verbose", action="store_true", help="imprime cada operador y sus fallos")
    p.add_argument("--salida", default=str(ROOT / "benchmarks" / "results" / "compat.json"))
    p.add_argument("--markdown", default=str(ROOT / "docs" / "compatibilidad.md"),
                   help="dónde escribir el resumen en Markdown ('' para no escribirlo)")
    p.add_argument("--raiz", default=None,
                   help="carpeta de otro tinygrad_es que medir (p. ej. una copia de main para el «antes»)")
    a = p.parse_args(argv)
    if a.raiz:
        sys.path.insert(0, str(pathlib.Path(a.raiz).resolve()))
    import torch
    t0 = time.time()
    dtypes = tuple(a.dtype) if a.dtype else H.DTYPES
    records, missing = sweep(a.op, a.max_samples or None, a.segundo_orden, dtypes=dtypes, verbose=a.verbose)
    fams = summarize(records)
    print(table(fams))
    print()
    print(status_table(records, missing))
    print(f"({len(records)} OpInfo ofrecidos, {len(missing)} sin equivalente; torch {torch.__version__}; "
          f"{time.time() - t0:.0f} s)")
    if not a.op:
        meta = {"date": datetime.date.today().isoformat(), "torch": torch.__version__, "dtypes": list(dtypes),
                "second_order": a.segundo_orden, "max_samples": a.max_samples or None}
        out = {**meta, "status": status_totals(records, missing),
               "status_course": status_totals(records, missing, set(H.COURSE)),
               "families": {f: dict(c) for f, c in fams.items()}, "table_markdown": table(fams, markdown=True),
               "ops": [{**r, "samples": dict(r["samples"]), "grads": dict(r["grads"]), "errors": dict(r["errors"])}
                       for r in records],
               "missing": missing}
        pathlib.Path(a.salida).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"escrito {a.salida}")
        if a.markdown:
            pathlib.Path(a.markdown).write_text(markdown_report(records, missing, fams, meta), encoding="utf-8")
            print(f"escrito {a.markdown}")


if __name__ == "__main__":
    main()
