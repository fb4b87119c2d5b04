"""El proyecto de voz del curso con el FSDD completo: exactitud y tiempos.

* Partición oficial (índices 0–4 de prueba, 300 grabaciones; 2 700 de entrenamiento): la ``RedVoz``
  de ``tinygrad-es demo voz`` con SpecAugment (objetivo ≥ 97 %) y, como ablación, sin él.
* Independiente del hablante: dejar fuera a cada una de las 6 personas (se entrena con las otras 5
  y se prueba con sus 500 grabaciones), con y sin SpecAugment.
* Con PyTorch instalado, los mismos pasos en PyTorch intercalados con los nuestros (mediana de los
  cocientes por pareja): el log-mel de 3 000 grabaciones (``torch.stft`` + el mismo banco mel) y un
  paso de entrenamiento de la ``RedVoz`` (lote de 32).

Uso: ``nice -n 10 python benchmarks/voz.py [--root DIR] [--epochs 16] [--loso-epochs 10] [--quick]``;
imprime una tabla y escribe ``benchmarks/results/voz.json``. No es un test unitario.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import tinygrad_es as tg  # noqa: E402
from tinygrad_es.demos import voz  # noqa: E402
from tinygrad_es.nn import functional as F  # noqa: E402


def official(X, y, test, epochs, aumento, seed):
    t0 = time.perf_counter()
    m = voz.entrenar(X[~test], y[~test], epochs=epochs, aumento=aumento, seed=seed, verbose=False)
    dt = time.perf_counter() - t0
    acc = float((voz.predecir(m, X[test]).argmax(1) == y[test]).mean())
    return acc, dt


def compare_torch(senales, X, y, pairs=7):
    """Cocientes tinygrad_es / PyTorch (mediana de parejas intercaladas): log-mel y paso de entrenamiento."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    logmel = voz.LogMel()
    fb = torch.tensor(logmel.mel.mel_scale.fb.numpy())
    win = torch.hann_window(voz.N_FFT)

    def ours_feat():
        with tg.no_grad():
            return logmel(tg.tensor(senales)).numpy()

    def torch_feat():
        with torch.no_grad():
            S = torch.stft(torch.tensor(senales), voz.N_FFT, voz.HOP, window=win, return_complex=True)
            mel = torch.matmul(S.abs().pow(2).transpose(-1, -2), fb).transpose(-1, -2)
            db = 10 * torch.log10(mel.clamp(min=1e-10))
            db = torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - 80)
            db = db.unsqueeze(1)
            m = db.mean(dim=(1, 2, 3), keepdim=True)
            s = ((db - m) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt() + 1e-5
            return ((db - m) / s).numpy()

    ref_ours, ref_torch = ours_feat(), torch_feat()
    feat_err = float(np.abs(ref_ours - ref_torch).max())

    # un paso de entrenamiento de la misma red (pesos copiados), lote de 32
    tg.manual_seed(0)
    ours = voz.RedVoz()
    tnet = torch.nn.Sequential()
    blocks = []
    for cin, cout in ((1, 16), (16, 32), (32, 64)):
        blocks += [torch.nn.Conv2d(cin, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU(),
                   torch.nn.MaxPool2d(2)]
    blocks += [torch.nn.Conv2d(64, 64, 3, padding=1, bias=False), torch.nn.BatchNorm2d(64), torch.nn.ReLU(),
               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Dropout(0.3), torch.nn.Linear(64, 10)]
    tnet = torch.nn.Sequential(*blocks)
    sd = {k: torch.tensor(np.asarray(v)) for k, v in zip(tnet.state_dict().keys(), ours.state_dict().values())}
    tnet.load_state_dict(sd)
    opt_o, opt_t = tg.optim.Adam(ours.parameters(), 1e-3), torch.optim.Adam(tnet.parameters(), 1e-3)
    xb, yb = X[:32], y[:32]

    def step_ours(k=10):
        for _ in range(k):
            loss = F.cross_entropy(ours(tg.tensor(xb)), tg.tensor(yb))
            opt_o.zero_grad()
            loss.backward()
            opt_o.step()

    def step_torch(k=10):
        for _ in range(k):
            loss = torch.nn.functional.cross_entropy(tnet(torch.tensor(xb)), torch.tensor(yb))
            opt_t.zero_grad()
            loss.backward()
            opt_t.step()

    out = {"logmel_max_abs_diff": feat_err}
    for name, a, b in (("logmel_3000", ours_feat, torch_feat), ("paso_entrenamiento_x10", step_ours, step_torch)):
        a(), b()
        ratios, ta_, tb_ = [], [], []
        for _ in range(pairs):
            t0 = time.perf_counter(); a(); t1 = time.perf_counter(); b(); t2 = time.perf_counter()
            ta_.append(t1 - t0)
            tb_.append(t2 - t1)
            ratios.append((t1 - t0) / (t2 - t1))
        out[name] = {"tinygrad_es_s": float(np.median(ta_)), "pytorch_s": float(np.median(tb_)),
                     "cociente_mediana": float(np.median(ratios))}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=None)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--loso-epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="sin ablación ni voces nuevas")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    senales, y, personas, indices, origen = voz.cargar(args.root)
    if "muestra" in origen:
        sys.exit("benchmarks/voz.py necesita el FSDD completo (--root o TINYGRAD_ES_DATA)")
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    X = voz.caracteristicas(senales)
    t_feat = time.perf_counter() - t0
    test = indices < 5
    print(f"{origen}: {len(y)} grabaciones; carga {t_load:.1f} s, log-mel {t_feat:.1f} s", flush=True)
    res = {"origen": origen, "n": len(y), "epocas": args.epochs, "semilla": args.seed, "s_carga": t_load,
           "s_logmel": t_feat, "maquina": f"{platform.machine()}, {os.cpu_count()} núcleos",
           "objetivo": 0.97}
    acc, dt = official(X, y, test, args.epochs, True, args.seed)
    res["oficial_specaugment"] = {"exactitud": acc, "s_entrenamiento": dt, "s_por_epoca": dt / args.epochs}
    print(f"partición oficial, con SpecAugment : {100 * acc:6.2f} %  ({'≥' if acc >= 0.97 else '<'} 97 %)  "
          f"{dt:6.0f} s ({dt / args.epochs:.1f} s/época)", flush=True)
    if not args.quick:
        acc, dt = official(X, y, test, args.epochs, False, args.seed)
        res["oficial_sin_specaugment"] = {"exactitud": acc, "s_entrenamiento": dt}
        print(f"partición oficial, sin SpecAugment : {100 * acc:6.2f} %  {dt:6.0f} s", flush=True)
        for aug, clave in ((True, "dejar_fuera_hablante"), (False, "dejar_fuera_hablante_sin_specaugment")):
            loso = {}
            for spk in sorted(set(personas)):
                fuera = personas == spk
                t0 = time.perf_counter()
                m = voz.entrenar(X[~fuera], y[~fuera], epochs=args.loso_epochs, aumento=aug, seed=args.seed,
                                 verbose=False)
                a = float((voz.predecir(m, X[fuera]).argmax(1) == y[fuera]).mean())
                loso[spk] = {"exactitud": a, "s": time.perf_counter() - t0}
                print(f"  dejando fuera a {spk:<9} ({'con' if aug else 'sin'} SpecAugment): {100 * a:6.2f} %  "
                      f"({loso[spk]['s']:.0f} s)", flush=True)
            res[clave] = loso
            media = float(np.mean([v["exactitud"] for v in loso.values()]))
            res[clave.replace("hablante", "media")] = media
            print(f"independiente del hablante, {'con' if aug else 'sin'} SpecAugment (media): {100 * media:6.2f} %",
                  flush=True)
        res["loso_epocas"] = args.loso_epochs
    cmp = compare_torch(senales, X, y)
    if cmp is not None:
        res["frente_a_pytorch"] = cmp
        for k in ("logmel_3000", "paso_entrenamiento_x10"):
            c = cmp[k]
            print(f"{k:<24} tinygrad_es {c['tinygrad_es_s']:.3f} s  PyTorch {c['pytorch_s']:.3f} s  "
                  f"cociente {c['cociente_mediana']:.2f}", flush=True)
        print(f"log-mel: diferencia máxima con PyTorch {cmp['logmel_max_abs_diff']:.2e}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "voz.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
    print("escrito benchmarks/results/voz.json")


if __name__ == "__main__":
    main()
