"""Demo del grafo: f = (x + y)·z en (2, 3, 4), valores hacia delante y gradientes
4, 4 y 5 hacia atrás, paso a paso (texto y una imagen por paso)."""
from ..autograd.value import Value
from ._common import parse


def run(x: float = 2.0, y: float = 3.0, z: float = 4.0, out_dir: str = None, verbose: bool = True) -> dict:
    from ..viz import explain_backward
    X, Y, Z = Value(x, "x"), Value(y, "y"), Value(z, "z")
    q = X + Y
    q.label = "q"
    f = q * Z
    f.label = "f"
    if verbose:
        print(f"Hacia delante: q = x + y = {q.data:g};  f = q·z = {f.data:g}")
        print("Hacia atrás (regla de la cadena):")
    exp = explain_backward(f)
    if verbose:
        print(exp.text)
        print(f"Resultado: ∂f/∂x = {X.grad:g}, ∂f/∂y = {Y.grad:g}, ∂f/∂z = {Z.grad:g}")
    files = []
    if out_dir:
        import os
        files, err = exp.save_slides(os.path.join(out_dir, "grafo.svg"), os.path.join(out_dir, "pasos"),
                                     title="f = (x + y)·z")
        if verbose:
            if err is not None:
                print(err)
            print(f"Ficheros: {', '.join(files)}")
    return {"f": f.data, "grads": (X.grad, Y.grad, Z.grad), "files": files, "steps": exp.steps}


def main(argv=None, prog=None):
    run(**parse(argv, {"x": 2.0, "y": 3.0, "z": 4.0, "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
