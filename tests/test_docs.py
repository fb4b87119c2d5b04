"""La documentación que ve el estudiante con ``help()`` (no hay documentación en línea).

* Cada clase y función pública de ``nn``, ``nn.functional``, ``nn.init``, ``nn.utils``, ``optim``,
  ``optim.lr_scheduler`` y ``utils.data`` tiene docstring y nombra en él cada uno de sus parámetros.
* Las capas, pérdidas, optimizadores, planificadores y clases de datos dicen además su equivalente de
  PyTorch y traen un ejemplo; las convoluciones y los pooling, la fórmula del tamaño de la salida.
* ``help(clase)`` no muestra textos en inglés nuestros (el "Initialize self. See help(type(self))..."
  que se hereda de ``object`` cuando un método no tiene docstring) ni comentarios del código.
* Los ejemplos (``>>>``) se ejecutan y dan lo que dicen.
"""
import doctest
import inspect
import pydoc
import re

import numpy as np
import pytest

import tinygrad_es as torch
from tinygrad_es import nn, optim
from tinygrad_es.nn import functional as F
from tinygrad_es.nn import init, utils as nn_utils
from tinygrad_es.optim import lr_scheduler
from tinygrad_es.utils import data

MODULES = {"nn": nn, "nn.functional": F, "nn.init": init, "nn.utils": nn_utils, "nn.utils.rnn": nn_utils.rnn,
           "nn.utils.parametrize": nn_utils.parametrize, "nn.utils.parametrizations": nn_utils.parametrizations,
           "nn.utils.prune": nn_utils.prune, "nn.utils.stateless": nn_utils.stateless, "optim": optim,
           "optim.lr_scheduler": lr_scheduler, "optim.swa_utils": optim.swa_utils, "utils.data": data,
           "nn.parallel": nn.parallel, "nn.grad": nn.grad, "autograd.forward_ad": torch.autograd.forward_ad,
           "func": torch.func}
MODULES["masked"] = torch.masked


def public(module):
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name, None)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield name, obj


# Los ficheros documentados así: todos los de nn, optim y utils.data (un fichero nuevo entra aquí y sus tests
# le obligan a cumplir lo mismo).
DOCUMENTED = {f"tinygrad_es.nn.{m}" for m in (
    "module", "parameter", "scalar", "init", "_init_structured", "parallel", "_state", "_convert",
    *(f"modules.{f}" for f in ("activation", "adaptive", "attention", "container", "conv", "conv3d", "pooling3d", "distance", "dropout", "fold",
                                "ctc_loss", "instancenorm", "lazy", "lp_pool", "multi_margin_loss",
                                "linear", "loss", "margin_loss", "normalization", "padding", "pixelshuffle",
                                "pooling", "rnn", "rnn_cell", "sparse", "sync_batchnorm", "transformer",
                                "upsampling")),
    *(f"functional.{f}" for f in ("activation", "attention", "conv", "conv3d", "grad", "pooling3d", "distance", "dropout", "fold", "linear", "loss",
                                   "ctc_loss", "grid_sample", "lp_pool", "multi_margin_loss",
                                   "margin_loss", "normalization", "padding", "pixelshuffle", "pooling",
                                   "regression_loss", "sparse", "upsampling")),
    "utils.clip_grad", "utils.convert_parameters", "utils.rnn", "utils.parametrize", "utils.parametrizations",
    "utils.prune", "utils._prune_base", "utils._prune_methods", "utils.fusion", "utils.init", "utils.stateless",
    "utils.weight_norm", "utils.spectral_norm")}
DOCUMENTED |= {f"tinygrad_es.optim.{m}" for m in ("optimizer", "sgd", "adam", "adaptive", "_lr_base", "_lr_formula",
                                                    "_lr_stateful", "_lr_cyclic", "rprop", "asgd",
                                                    "adafactor", "lbfgs", "muon", "swa_utils")}
DOCUMENTED |= {"tinygrad_es.autograd.forward_ad", "tinygrad_es.func.forward"}
DOCUMENTED |= {f"tinygrad_es.utils.data.{m}" for m in ("dataset", "sampler", "dataloader", "_collate", "_worker")}
DOCUMENTED |= {f"tinygrad_es.masked.{m}" for m in ("reductions", "normalizations")}
DOCUMENTED |= {"tinygrad_es.nn.modules.fractional_pool", "tinygrad_es.nn.functional.fractional_pool"}
DOCUMENTED |= {"tinygrad_es.nn.modules.linear_cross_entropy_options", "tinygrad_es.nn.functional.linear_cross_entropy"}
ALL = sorted({(f"{m}.{n}", o) for m, mod in MODULES.items() for n, o in public(mod)}, key=lambda t: t[0])
OBJECTS = [(n, o) for n, o in ALL if o.__module__ in DOCUMENTED]
IDS = [name for name, _ in OBJECTS]


def test_every_public_file_is_documented():
    """Un fichero nuevo de nn, optim o utils.data con objetos públicos entra en ``DOCUMENTED``."""
    roots = ("tinygrad_es.nn", "tinygrad_es.optim", "tinygrad_es.utils.data")
    missing = sorted({o.__module__ for _, o in ALL if o.__module__.startswith(roots)} - DOCUMENTED)
    assert not missing, f"ficheros con objetos públicos fuera de DOCUMENTED: {missing}"


def params(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):  # pragma: no cover
        return []
    return [p.name for p in sig.parameters.values()
            if p.name != "self" and not p.name.startswith("_") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def own_doc(obj):
    return obj.__doc__ if inspect.isfunction(obj) else obj.__dict__.get("__doc__")


@pytest.mark.parametrize("name,obj", OBJECTS, ids=IDS)
def test_docstring_names_every_parameter(name, obj):
    doc = own_doc(obj)
    assert doc and doc.strip(), f"{name} no tiene docstring"
    missing = [p for p in params(obj) if not re.search(r"(?<![\w.])" + re.escape(p) + r"(?!\w)", doc)]
    assert not missing, f"el docstring de {name} no nombra {missing}"


def _is_student_class(name, obj):
    if not inspect.isclass(obj) or name.startswith("nn.functional"):
        return False
    if name.startswith("nn.") and issubclass(obj, nn.Module) and obj.__module__.startswith("tinygrad_es.nn.modules"):
        return True
    return name.startswith(("optim.", "utils.data."))


STUDENT = [(n, o) for n, o in OBJECTS if _is_student_class(n, o)]


@pytest.mark.parametrize("name,obj", STUDENT, ids=[n for n, _ in STUDENT])
def test_layers_losses_optimizers_and_data_have_example_and_pytorch_equivalent(name, obj):
    doc = own_doc(obj)
    assert "PyTorch" in doc, f"{name}: falta el equivalente de PyTorch"
    assert ">>>" in doc or "Ejemplo" in doc, f"{name}: falta un ejemplo"
    if re.match(r"(Conv|ConvTranspose|MaxPool|AvgPool)\dd$", obj.__name__):
        assert "⌊" in doc or "H_out =" in doc or "L_out =" in doc, f"{name}: falta la fórmula del tamaño de salida"


# lo que Python pone cuando un método no tiene docstring y lo hereda de object (en inglés)
ENGLISH = ("Initialize self", "Call self as a function", "Default dir() implementation", "Return repr(self)",
           "Return str(self)", "Implement setattr", "Implement delattr", "Return getattr", "Return iter(self)",
           "Return len(self)", "Return self[key]", "Set self[key]", "Delete self[key]", "Return key in self",
           "Return hash(self)", "Return bool(self)", "Return self==value", "Helper for pickle",
           "Create and return a new object", "Return a reversed iterator", "Return self<", "Return self>",
           "Return self!=value", "Return value|self", "Return value&self", "Default object formatter")

CLASSES = [(n, o) for n, o in OBJECTS if inspect.isclass(o)] + [("Tensor", torch.Tensor)]


def _without_builtin_sections(text):
    """Sin las secciones "... inherited from builtins.tuple:" (los métodos de tuple de una tupla con
    nombre como ``PackedSequence``): ese texto es de Python, no nuestro, y ``help`` de PyTorch lo
    muestra igual. Lo que se hereda de ``object`` en un método nuestro sin docstring sí cuenta."""
    kept, skipping = [], False
    for line in text.splitlines():
        if re.match(r"\s*\|\s+\S.* inherited from builtins\.(?!object:)", line):
            skipping = True
        elif re.match(r"\s*\|\s+-{20}", line):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("name,obj", CLASSES, ids=[n for n, _ in CLASSES])
def test_help_has_no_english_boilerplate_nor_code_comments(name, obj):
    text = _without_builtin_sections(pydoc.render_doc(obj, renderer=pydoc.plaintext))
    english = [e for e in ENGLISH if e in text]
    assert not english, f"help({name}) muestra textos en inglés: {english}"
    comments = [line for line in text.splitlines() if re.match(r"\s*\|\s+# ", line)]
    assert not comments, f"help({name}) muestra comentarios del código como documentación: {comments[:3]}"


def _doctest_modules():
    seen = set()
    for _, obj in OBJECTS:
        mod = inspect.getmodule(obj)
        if mod is not None and mod.__name__ not in seen:
            seen.add(mod.__name__)
            yield mod


@pytest.mark.parametrize("module", list(_doctest_modules()), ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    globs = {"torch": torch, "nn": nn, "F": F, "optim": optim, "np": np, "data": data}
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, module.__name__, globs=dict(globs)):
        torch.manual_seed(0)
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} ejemplos de {module.__name__} no dan lo que dicen (véase arriba)"


# ejemplos de lo que PyTorch no tiene (el gemelo escalar, F.flatten, las penalizaciones de los apuntes)
_TINYGRAD_ONLY = ("tinygrad_es.nn.scalar.", "tinygrad_es.nn.functional.linear.flatten",
                  "tinygrad_es.nn.functional.linear.unflatten", "tinygrad_es.nn.functional.regression_loss.l1_penalty",
                  "tinygrad_es.nn.functional.regression_loss.l2_penalty")


class _SameButNodeNames(doctest.OutputChecker):
    """El nombre del nodo del grafo (``grad_fn=<...>``) es de cada biblioteca: PyTorch tiene nodos
    "nativos" (``NativeBatchNormBackward0``) donde tinygrad_es compone (``AddBackward0``)."""

    def check_output(self, want, got, optionflags):
        strip = lambda s: re.sub(r"grad_fn=<\w+>", "grad_fn=<…>", s)  # noqa: E731
        return super().check_output(strip(want), strip(got), optionflags)


@pytest.mark.filterwarnings("ignore:`nn.functional.upsample")
def test_docstring_examples_give_pytorchs_output():
    """Los mismos ejemplos, con ``torch``, ``nn``, ``F``, ``optim`` y ``data`` de PyTorch: dan lo mismo."""
    real = pytest.importorskip("torch")
    import torch.nn.functional as tF
    import torch.utils.data as tdata
    globs = {"torch": real, "nn": real.nn, "F": tF, "optim": real.optim, "np": np, "data": tdata}
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(checker=_SameButNodeNames(),
                                   optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    ran = 0
    for module in _doctest_modules():
        for test in finder.find(module, module.__name__, globs=dict(globs)):
            if test.name.startswith(_TINYGRAD_ONLY):
                continue
            for ex in test.examples:
                ex.source = ex.source.replace("tinygrad_es.nn.utils.rnn", "torch.nn.utils.rnn")
            real.manual_seed(0)
            runner.run(test)
            ran += len(test.examples)
    results = runner.summarize(verbose=False)
    assert ran > 400 and results.failed == 0, f"{results.failed} ejemplos dan otra cosa con PyTorch (véase arriba)"
