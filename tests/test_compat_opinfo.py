"""La tarjeta de compatibilidad OpInfo (``tests/compat_harness.py``, ``benchmarks/compat.py``).

Con una muestra acotada: unos operadores del curso tienen que seguir coincidiendo con PyTorch, y el
arnés tiene que detectar una implementación equivocada (valor, dtype, forma, gradiente, error, nombre
que falta): si no, la tarjeta no mediría nada."""
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")  # lo importan las utilidades de test de PyTorch

from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402

import compat_harness as H  # noqa: E402
import tinygrad_es as tg  # noqa: E402

OPS = {H.full_name(op): op for op in op_db}
FAST = dict(dtypes=("float32", "float64"), max_samples=2, timeout=30)

# operadores del curso que hoy coinciden en todas sus muestras (una regresión aquí es un fallo)
COURSE_OPS = ["add", "mul", "sub", "div.no_rounding_mode", "exp", "log", "tanh", "sigmoid", "sum", "mean",
              "matmul", "nn.functional.relu", "softmax", "nn.functional.cross_entropy",
              "nn.functional.linear", "nn.functional.conv2d", "nn.functional.max_pool2d", "reshape", "transpose",
              "cat", "copysign", "addmm", "addcmul", "xlogy", "hstack", "kron", "nansum", "cdist"]


@pytest.mark.parametrize("name", COURSE_OPS)
def test_course_op_matches_pytorch(name):
    rec = H.run_op(OPS[name], tg, **FAST)
    assert rec is not None, f"tinygrad_es no ofrece {name}"
    bad = [f for f in rec["failures"] if f["kind"] != "skip"]
    assert rec["status"] == "matches", bad[:3]
    assert rec["samples"]["total"] > 0


# operadores que la tarjeta daba como distintos, con error o ausentes y ya coinciden (todas sus muestras)
FIXED_OPS = ["std.unbiased", "var.unbiased", "logcumsumexp", "tensor_split", "tensordot", "nn.functional.batch_norm",
             "nn.functional.instance_norm", "normal.in_place",
             "ravel", "rsub", "fill", "index_copy", "index_put", "put", "renorm", "sum_to_size", "split_with_sizes",
             "unravel_index", "trapezoid", "trapz", "cumulative_trapezoid", "lgamma", "digamma", "erfinv", "i0",
             "special.i1", "polygamma.polygamma_n_1", "polygamma.polygamma_n_3", "ldexp", "frexp", "gcd", "lcm",
             "nextafter", "isreal", "linalg.matrix_power", "linalg.multi_dot", "linalg.vecdot", "linalg.slogdet",
             "logdet", "combinations", "select_scatter", "slice_scatter", "diagonal_scatter",
             "nn.functional.upsample_bilinear", "nn.functional.upsample_nearest",
             "nn.functional.multi_margin_loss", "nn.functional.multilabel_margin_loss",
             "nn.functional.triplet_margin_with_distance_loss", "nn.functional.pdist", "nn.functional.channel_shuffle",
             "nn.functional.rrelu", "nn.functional.alpha_dropout", "nn.functional.max_unpool1d",
             "nn.functional.max_pool3d",
             "nn.functional.avg_pool3d", "nn.functional.adaptive_avg_pool3d", "nn.functional.adaptive_max_pool3d",
             "nn.functional.max_unpool3d"]
FIXED_OPS += ["index_reduce.prod", "index_reduce.mean", "index_reduce.amax", "index_reduce.amin", "char"]
FIXED_OPS += [f"masked.{op}" for op in ("sum", "prod", "cumsum", "cumprod", "amax", "amin", "argmax", "argmin", "mean",
                                        "median", "norm", "var", "std", "softmax", "log_softmax", "softmin",
                                        "normalize", "logaddexp", "logsumexp")]
FIXED_OPS += ["nn.functional.fractional_max_pool2d", "nn.functional.fractional_max_pool3d"]
FIXED_OPS += ["constant_pad_nd", "nonzero_static", "empty_permuted", "new_empty_strided", "native_batch_norm",
              "native_group_norm", "gradient", "histogramdd"]
FIXED_OPS += [f"special.{n}" for n in ("ndtri", "log_ndtr", "erfcx", "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0",
                                       "bessel_y1", "modified_bessel_k0", "modified_bessel_k1",
                                       "scaled_modified_bessel_k0", "scaled_modified_bessel_k1")]
FIXED_OPS += ["igamma", "igammac", "lu", "lu_solve", "fft.hfftn", "fft.ihfft2", "fft.ihfftn", "geqrf", "ormqr",
              "linalg.ldl_factor", "linalg.ldl_factor_ex", "linalg.ldl_solve", "linalg.eig", "linalg.eigvals",
              "cfloat", "cdouble"]
FIXED_OPS += ["__rdiv__", "nn.functional.linear_cross_entropy", "nn.functional.linear_cross_entropy.chunked",
              "nn.functional.linear_cross_entropy.chunked_none", "grid_sampler_2d", "_chunk_cat"]


@pytest.mark.parametrize("name", FIXED_OPS)
def test_fixed_op_matches_pytorch(name):
    rec = H.run_op(OPS[name], tg, dtypes=("float32", "float64", "int64"), timeout=30)
    assert rec is not None, f"tinygrad_es no ofrece {name}"
    bad = [f for f in rec["failures"] if f["kind"] != "skip"]
    assert rec["status"] == "matches" and not bad, bad[:3]


def _wrong(op_name, fn):
    return H.run_op(OPS[op_name], tg, ours=fn, how="prueba", **FAST)


def test_detects_wrong_value():
    rec = _wrong("add", lambda x, y, **kw: tg.sub(x, y) if isinstance(y, tg.Tensor) else x - y)
    assert rec["status"] == "differs"
    assert any(f["kind"] == "value" for f in rec["failures"])


def test_detects_wrong_gradient():
    # el valor es el de exp, el gradiente no (la derivada de x.detach().exp() + x - x es 0)
    rec = _wrong("exp", lambda x: x.detach().exp() + x - x)
    assert rec["status"] == "differs"
    assert {f["kind"] for f in rec["failures"]} == {"grad"}
    assert rec["samples"]["pass"] == rec["samples"]["total"]


def test_detects_wrong_dtype_and_shape():
    rec = _wrong("exp", lambda x: x.double().exp())
    assert any(f["kind"] == "dtype" for f in rec["failures"] if f["dtype"] == "float32")
    rec = _wrong("sum", lambda x, *a, **kw: x.sum(*a, **kw).unsqueeze(0))
    assert rec["status"] == "differs"
    assert any(f["kind"] == "shape" for f in rec["failures"])


def test_detects_errors_and_missing_names():
    def boom(*a, **kw):
        raise ValueError("no")
    assert _wrong("exp", boom)["status"] == "error"
    assert H.resolve(OPS["exp"], tg) is not None
    import types
    assert H.resolve(OPS["exp"], types.SimpleNamespace(Tensor=tg.Tensor, nn=tg.nn)) is not None  # Tensor.exp
    assert H.resolve(OPS["nn.functional.relu"], types.SimpleNamespace(Tensor=tg.Tensor, nn=types.SimpleNamespace(
        functional=types.SimpleNamespace()))) is None


def test_error_inputs_checked():
    # torch lanza en las entradas erróneas de cat; una cat que no compruebe nada se detecta
    rec = _wrong("cat", lambda *a, **kw: tg.zeros(1))
    assert rec["errors"]["total"] > 0 and rec["errors"]["silent"] > 0


def test_known_differences_excuse(tmp_path):
    f = tmp_path / "known.md"
    f.write_text("| operador | tipo | dtypes | muestra | razón |\n|---|---|---|---|---|\n"
                 "| add | * | float64 | * | prueba |\n", encoding="utf-8")
    known = H.load_known(f)

    def wrong_in_float64(x, y, **kw):  # bien en float32, mal en float64 (la fila sólo excusa float64)
        return x * 0 + 7 if x.dtype == tg.float64 else tg.add(x, y, **kw)

    rec = H.run_op(OPS["add"], tg, ours=wrong_in_float64, how="prueba", known=known, **FAST)
    assert rec["status"] == "matches"  # lo distinto está excusado, con su razón
    assert rec["failures"] and all(x["excused"] == "prueba" for x in rec["failures"])
    rec = H.run_op(OPS["add"], tg, ours=lambda x, y, **kw: x * 0 + 7, how="prueba", known=known, **FAST)
    assert rec["status"] == "differs"  # float32 no está excusado
    f.write_text("| operador | tipo | dtypes | muestra | razón |\n|---|---|---|---|---|\n| add | valor | * | * |  |\n",
                 encoding="utf-8")
    with pytest.raises(ValueError):
        H.load_known(f)


def test_compat_script_writes_json_and_markdown(tmp_path):
    import json
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
    import compat
    records, missing = compat.sweep(["exp", "nn.functional.relu"], max_samples=2, dtypes=("float32",))
    assert [r["status"] for r in records] == ["matches", "matches"]
    fams = compat.summarize(records)
    md = compat.markdown_report(records, missing, fams, {"date": "hoy", "torch": torch.__version__,
                                                         "dtypes": ["float32"], "max_samples": 2})
    assert "| los del curso |" in md and "coincide" in md
    tot = compat.status_totals(records, [{"op": "x", "family": "other", "status": "missing"}])
    assert tot["matches"] == 2 and tot["missing"] == 1 and tot["total"] == 3
    json.dumps(tot)


def test_readme_table_is_rewritten_between_marks(tmp_path):
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))
    import compat
    readme = tmp_path / "README.md"
    readme.write_text("antes\n<!-- tarjeta-opinfo -->\nvieja\n<!-- /tarjeta-opinfo -->\ndespués\n", encoding="utf-8")
    recs = [{"op": "exp", "family": "pointwise", "status": "matches"}]
    compat.update_readme(readme, recs, [{"op": "x", "family": "other", "status": "missing"}],
                         {"date": "2026-12-07", "torch": "2.13.0", "max_samples": 4})
    text = readme.read_text(encoding="utf-8")
    assert "vieja" not in text and text.startswith("antes\n") and text.endswith("después\n")
    assert "| todos los OpInfo | 1 | 0 | 0 | 0 | 1 | 2 | 50.0 % |" in text and "2026-12-07" in text
