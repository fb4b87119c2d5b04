"""Demo del proyecto del curso: reconocer dígitos hablados (FSDD) a partir de espectrogramas.

wav → espectrograma log-mel (``tinygrad_es.audio``, con los nombres de torchaudio) → una CNN del
curso (bloques conv–BN–ReLU–pool) → exactitud y matriz de confusión en la partición oficial del
FSDD (índices 0–4 de prueba), comparando el entrenamiento **con y sin SpecAugment** (máscaras de
frecuencia y de tiempo), y una evaluación **independiente del hablante** (dejar fuera a cada
persona: ¿reconoce la red a alguien a quien no ha oído nunca?). Con ``--tensorboard`` cada
entrenamiento se registra para verlo en directo con ``tensorboard --logdir``.

Usa el FSDD completo si lo encuentra (``--root``, ``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es``) y,
si no, la muestra incluida en el paquete (120 grabaciones: el resultado es sólo ilustrativo).
"""
from __future__ import annotations

import math
import time

import numpy as np

from .. import audio as torchaudio
from .. import Generator, manual_seed, nn, no_grad, optim, tensor
from .. import metrics as M
from ..data.datasets import DatasetNotFoundError
from ..nn import functional as F
from ..utils.data import DataLoader, TensorDataset
from ._common import HELP, have_matplotlib, out_path, parse

SAMPLE_RATE = 8000
DURACION = 8000          # muestras por grabación: 1 s (el 99 % de las grabaciones del FSDD dura menos)
N_FFT, HOP, N_MELS = 256, 80, 40          # tramas de 32 ms cada 10 ms, 40 bandas mel
CLASES = [str(d) for d in range(10)]


def recortar_silencio(w: np.ndarray, sr: int = SAMPLE_RATE, umbral_db: float = 35.0, margen: float = 0.05,
                      suelo: float = 0.002):
    """El tramo con voz de ``w``: de la primera a la última trama de 20 ms cuya energía (RMS) no está
    más de ``umbral_db`` dB por debajo de la más fuerte, con ``margen`` segundos a cada lado (las
    grabaciones del FSDD ya vienen así recortadas; las del micrófono no). ``None`` si todo es
    silencio (ninguna trama llega a ``suelo``)."""
    w = np.asarray(w, dtype=np.float32).reshape(-1)
    f = max(1, int(0.02 * sr))
    n = len(w) // f
    if n == 0:
        return w if len(w) and np.abs(w).max() >= suelo else None
    rms = np.sqrt((w[:n * f].reshape(n, f).astype(np.float64) ** 2).mean(axis=1))
    pico = rms.max()
    if pico < suelo:
        return None
    activo = np.flatnonzero(rms >= pico * 10 ** (-umbral_db / 20))
    ini = max(0, activo[0] * f - int(margen * sr))
    fin = min(len(w), (activo[-1] + 1) * f + int(margen * sr))
    return w[ini:fin]


def ajustar(waveform, longitud: int = DURACION) -> np.ndarray:
    """(1, N) o (N,) → (longitud,): la grabación centrada, rellena con ceros o recortada por el centro."""
    w = np.asarray(waveform.numpy() if hasattr(waveform, "numpy") else waveform, dtype=np.float32).reshape(-1)
    if len(w) >= longitud:
        ini = (len(w) - longitud) // 2
        return w[ini:ini + longitud].copy()
    out = np.zeros(longitud, np.float32)
    ini = (longitud - len(w)) // 2
    out[ini:ini + len(w)] = w
    return out


class LogMel(nn.Module):
    """Señal (N, muestras) a 8 kHz → espectrograma log-mel normalizado (N, 1, 40, 101): potencia mel
    en dB (recortada a 80 dB bajo el máximo) y cada espectrograma con media 0 y desviación 1 (así
    no importa el volumen de la grabación)."""

    def __init__(self, sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS):
        super().__init__()
        self.mel = torchaudio.transforms.MelSpectrogram(sample_rate, n_fft=n_fft, hop_length=hop_length,
                                                        n_mels=n_mels, f_min=20.0)
        self.db = torchaudio.transforms.AmplitudeToDB(top_db=80.0)

    def forward(self, waveform):
        x = self.db(self.mel(waveform).unsqueeze(1))               # (N, 1, n_mels, T), recorte por ejemplo
        media = x.mean(dim=(1, 2, 3), keepdim=True)
        desv = ((x - media) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt() + 1e-5
        return (x - media) / desv


def bloque(cin, cout):
    """El bloque de los apuntes: convolución 3×3 → batch norm → ReLU → max pool 2×2."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.MaxPool2d(2))


class RedVoz(nn.Module):
    """CNN para espectrogramas (1, 40, 101): tres bloques conv–BN–ReLU–pool (16, 32, 64 filtros), una
    convolución más, media global y una capa lineal a 10 clases."""

    def __init__(self, num_classes: int = 10, canales=(16, 32, 64), dropout: float = 0.3):
        super().__init__()
        c1, c2, c3 = canales
        self.features = nn.Sequential(bloque(1, c1), bloque(c1, c2), bloque(c2, c3),
                                      nn.Conv2d(c3, c3, 3, padding=1, bias=False), nn.BatchNorm2d(c3), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c3, num_classes))

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)))


def spec_augment(freq_mask: int = 6, time_mask: int = 12) -> nn.Module:
    """SpecAugment como en los apuntes: una máscara de frecuencia y una de tiempo, distintas para
    cada ejemplo del lote (``iid_masks=True``)."""
    return nn.Sequential(torchaudio.transforms.FrequencyMasking(freq_mask, iid_masks=True),
                         torchaudio.transforms.TimeMasking(time_mask, iid_masks=True))


def cargar(root=None, limit: int = 0, sample: bool = False):
    """(señales (N, 8000), etiquetas, personas, índices, origen) de todo el FSDD (o de la muestra
    incluida, si no se encuentra o con ``sample=True``)."""
    ds = None
    if not sample:
        try:
            ds = torchaudio.datasets.FSDD(root)
            origen = f"FSDD completo ({ds.source})"
        except DatasetNotFoundError:
            pass
    if ds is None:
        ds = torchaudio.datasets.FSDD(sample=True)
        origen = "muestra del FSDD incluida en el paquete (120 grabaciones: resultados sólo ilustrativos)"
    n = len(ds) if not limit else min(limit, len(ds))
    idx = np.linspace(0, len(ds) - 1, n).round().astype(int) if limit else np.arange(n)
    senales, y, personas, indices = [], [], [], []
    for i in idx:
        w, sr, d, spk, k = ds[int(i)]
        voz = recortar_silencio(w.numpy())
        senales.append(ajustar(w if voz is None else voz))
        y.append(d)
        personas.append(spk)
        indices.append(k)
    return np.stack(senales), np.array(y), np.array(personas), np.array(indices), origen


def caracteristicas(senales: np.ndarray, logmel: LogMel | None = None, lote: int = 256) -> np.ndarray:
    """Señales (N, 8000) → espectrogramas log-mel (N, 1, 40, 101) float32 (sin gradiente, por lotes)."""
    logmel = logmel or LogMel()
    out = []
    with no_grad():
        for i in range(0, len(senales), lote):
            out.append(logmel(tensor(senales[i:i + lote])).numpy())
    return np.concatenate(out).astype(np.float32)


def entrenar(Xtr, ytr, Xval=None, yval=None, epochs: int = 20, aumento: bool = True, lr: float = 3e-3,
             batch_size: int = 32, seed: int = 0, writer=None, verbose: bool = True, nombre: str = ""):
    """Entrena una ``RedVoz`` (Adam con la política de un ciclo) y devuelve el modelo. Con ``aumento``
    (``True``: ``spec_augment()``; o cualquier módulo), cada lote pasa por él antes de la red (sólo en
    entrenamiento)."""
    manual_seed(seed)
    model = RedVoz()
    opt = optim.Adam(model.parameters(), lr=lr)
    pasos = epochs * math.ceil(len(Xtr) / batch_size)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=pasos)
    aug = spec_augment() if aumento is True else (aumento or None)
    loader = DataLoader(TensorDataset(tensor(Xtr), tensor(ytr)), batch_size=batch_size, shuffle=True,
                        generator=_generador(seed))
    for epoca in range(1, epochs + 1):
        model.train()
        t0, total, aciertos, n = time.perf_counter(), 0.0, 0, 0
        for xb, yb in loader:
            if aug is not None:
                xb = aug(xb)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(yb)
            aciertos += int((out.argmax(1) == yb).sum().item())
            n += len(yb)
        msg = f"{nombre}época {epoca:>2}/{epochs}  pérdida {total / n:.4f}  exactitud {100 * aciertos / n:.1f} %"
        if writer is not None:
            writer.add_scalar("pérdida/entrenamiento", total / n, epoca)
            writer.add_scalar("exactitud/entrenamiento", aciertos / n, epoca)
            writer.add_scalar("tasa_de_aprendizaje", opt.param_groups[0]["lr"], epoca)
        if Xval is not None:
            acc = float((predecir(model, Xval).argmax(1) == yval).mean())
            msg += f"  | prueba {100 * acc:.1f} %"
            if writer is not None:
                writer.add_scalar("exactitud/prueba", acc, epoca)
        if verbose:
            print(msg + f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
    if writer is not None:
        writer.flush()
    return model


def _generador(seed):
    g = Generator()
    g.manual_seed(seed)
    return g


def predecir(model, X, lote: int = 256) -> np.ndarray:
    """Puntuaciones (N, 10) en modo evaluación."""
    model.eval()
    out = []
    with no_grad():
        for i in range(0, len(X), lote):
            out.append(model(tensor(X[i:i + lote])).numpy())
    return np.concatenate(out)


def run(epochs: int = 2, seed: int = 0, out_dir: str = "", root: str = "", limit: int = 0, loso: bool = False,
        ablation: bool = False, tensorboard: str = "", loso_epochs: int = 0, sample: bool = False,
        verbose: bool = True) -> dict:
    """La demo completa con valores pequeños por defecto (para los tests); devuelve un dict con la
    exactitud con y sin SpecAugment, la matriz de confusión y, con ``loso``, la exactitud dejando fuera
    a cada persona. ``tensorboard``: carpeta donde registrar los entrenamientos."""
    t_total = time.perf_counter()
    senales, y, personas, indices, origen = cargar(root or None, limit, sample)
    if verbose:
        print(f"Datos: {origen}: {len(y)} grabaciones de {len(set(personas))} personas")
    t0 = time.perf_counter()
    X = caracteristicas(senales)
    if verbose:
        print(f"Espectrogramas log-mel {X.shape[1:]} en {time.perf_counter() - t0:.1f} s")
    test = indices < 5
    res = {"origen": origen, "n_entrenamiento": int((~test).sum()), "n_prueba": int(test.sum())}
    variantes = [("con SpecAugment", True)] + ([("sin SpecAugment", False)] if ablation else [])
    writers = []
    for nombre, aug in variantes:
        writer = None
        if tensorboard:
            from ..utils.tensorboard import SummaryWriter
            writer = SummaryWriter(f"{tensorboard}/{'specaugment' if aug else 'sin_aumento'}")
            writers.append(writer)
        if verbose:
            print(f"\n== Partición oficial, {nombre} ==")
        t0 = time.perf_counter()
        model = entrenar(X[~test], y[~test], X[test], y[test], epochs=epochs, aumento=aug, seed=seed,
                         writer=writer, verbose=verbose)
        scores = predecir(model, X[test])
        pred = scores.argmax(1)
        clave = "specaugment" if aug else "sin_aumento"
        res[clave] = {"exactitud": M.accuracy(y[test], pred), "segundos": time.perf_counter() - t0,
                      "matriz_confusion": M.confusion_matrix(y[test], pred, labels=list(range(10))).tolist()}
        if writer is not None:
            writer.add_hparams({"specaugment": aug, "epocas": epochs, "semilla": seed},
                               {"hparam/exactitud_prueba": res[clave]["exactitud"]}, run_name="hparams")
        if aug:
            res["modelo"], res["pred"], res["scores"] = model, pred, scores
        if verbose:
            print(f"Exactitud en la prueba oficial ({test.sum()} grabaciones): {100 * res[clave]['exactitud']:.2f} %")
    if verbose:
        print("\nMatriz de confusión (filas: dígito real; columnas: predicho), con SpecAugment:")
        print(M.confusion_matrix(y[test], res["pred"], labels=list(range(10))))
    if loso:
        res["loso"] = {}
        for spk in sorted(set(personas)):
            fuera = personas == spk
            if verbose:
                print(f"\n== Dejando fuera a {spk} ({fuera.sum()} grabaciones que la red nunca oye) ==")
            m = entrenar(X[~fuera], y[~fuera], epochs=loso_epochs or epochs, aumento=True, seed=seed, verbose=False)
            acc = float((predecir(m, X[fuera]).argmax(1) == y[fuera]).mean())
            res["loso"][spk] = acc
            if verbose:
                print(f"exactitud con {spk}: {100 * acc:.2f} %")
        res["loso_media"] = float(np.mean(list(res["loso"].values())))
        if verbose:
            print(f"\nIndependiente del hablante (media de las 6 personas): {100 * res['loso_media']:.2f} %")
    for w in writers:
        w.close()
    if out_dir and have_matplotlib():
        res["figuras"] = figuras(senales, X, y, test, res, out_dir)
        if verbose:
            print("Figuras en", out_dir)
    res["segundos"] = time.perf_counter() - t_total
    return res


def figuras(senales, X, y, test, res, out_dir) -> list:
    """Forma de onda, espectrograma, mel, máscaras de SpecAugment, matriz de confusión y Grad-CAM."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ..viz.interpret import grad_cam
    paths = []
    i = int(np.flatnonzero(test)[0])
    w = senales[i]
    spec = torchaudio.transforms.Spectrogram(N_FFT, hop_length=HOP)(tensor(w))
    db = torchaudio.transforms.AmplitudeToDB()(spec).numpy()
    manual_seed(0)
    masked = spec_augment()(tensor(X[i:i + 1])).numpy()[0, 0]
    fig, ax = plt.subplots(2, 2, figsize=(11, 7))
    ax[0, 0].plot(np.arange(len(w)) / SAMPLE_RATE, w)
    ax[0, 0].set(title=f"Forma de onda (dígito {y[i]})", xlabel="tiempo (s)")
    ax[0, 1].imshow(db, origin="lower", aspect="auto", cmap="magma")
    ax[0, 1].set(title="Espectrograma (dB)", xlabel="trama", ylabel="frecuencia (bin)")
    ax[1, 0].imshow(X[i, 0], origin="lower", aspect="auto", cmap="magma")
    ax[1, 0].set(title="Log-mel normalizado (entrada de la red)", xlabel="trama", ylabel="banda mel")
    ax[1, 1].imshow(masked, origin="lower", aspect="auto", cmap="magma")
    ax[1, 1].set(title="Con SpecAugment (máscaras de frecuencia y tiempo)", xlabel="trama")
    fig.tight_layout()
    paths.append(out_path(out_dir, "voz_espectrogramas.png"))
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    cm = M.confusion_matrix(y[test], res["pred"], labels=list(range(10)))
    cam = grad_cam(res["modelo"], X[i:i + 1], target=int(res["pred"][np.flatnonzero(test).tolist().index(i)]))[0]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    ax[0].imshow(cm, cmap="Blues")
    for (r, c), v in np.ndenumerate(cm):
        ax[0].text(c, r, v, ha="center", va="center", fontsize=7)
    ax[0].set(title="Matriz de confusión (prueba oficial)", xlabel="predicho", ylabel="real")
    ax[1].imshow(X[i, 0], origin="lower", aspect="auto", cmap="gray")
    ax[1].imshow(cam, origin="lower", aspect="auto", cmap="jet", alpha=0.45)
    ax[1].set(title="Grad-CAM sobre el espectrograma", xlabel="trama", ylabel="banda mel")
    fig.tight_layout()
    paths.append(out_path(out_dir, "voz_confusion_gradcam.png"))
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    return paths


HELP.update({
    "root": "carpeta con el FSDD (recordings/ o fsdd-recordings.tar.gz); sin ella, las rutas por defecto",
    "limit": "usar sólo N grabaciones repartidas por todo el conjunto (0 = todas)",
    "sin_ablacion": "no repetir el entrenamiento sin SpecAugment",
    "hablantes": "evaluar también dejando fuera a cada persona (6 entrenamientos más)",
    "tensorboard": "carpeta donde registrar los entrenamientos para TensorBoard (p. ej. runs/voz)",
    "loso_epochs": "épocas de cada entrenamiento dejando fuera a una persona (0 = las mismas)",
    "sample": "usar la muestra incluida en el paquete aunque esté el FSDD completo",
})


def main(argv=None, prog=None):
    defaults = dict(epochs=16, seed=0, out_dir="resultados_voz", root="", limit=0, sin_ablacion=False,
                    hablantes=False, tensorboard="", loso_epochs=8, sample=False)
    a = parse(argv, defaults, __doc__, prog)
    t0 = time.perf_counter()
    res = run(epochs=a["epochs"], seed=a["seed"], out_dir=a["out_dir"], root=a["root"], limit=a["limit"],
              loso=a["hablantes"], ablation=not a["sin_ablacion"], tensorboard=a["tensorboard"],
              loso_epochs=a["loso_epochs"], sample=a["sample"])
    print(f"\nResumen: con SpecAugment {100 * res['specaugment']['exactitud']:.2f} %", end="")
    if "sin_aumento" in res:
        print(f", sin SpecAugment {100 * res['sin_aumento']['exactitud']:.2f} %", end="")
    if "loso_media" in res:
        print(f", dejando fuera a cada persona {100 * res['loso_media']:.2f} %", end="")
    print(f"  ({time.perf_counter() - t0:.0f} s)")
    if a["tensorboard"]:
        print(f"Para ver las curvas: tensorboard --logdir {a['tensorboard']}")
    return res
