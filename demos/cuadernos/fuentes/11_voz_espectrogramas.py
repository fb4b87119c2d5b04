# %% [markdown]
# # 11. Reconocer la voz con espectrogramas
#
# El proyecto del curso: reconocer **dígitos hablados** con una red convolucional. La voz es una
# serie temporal, pero si la convertimos en un **espectrograma** (qué frecuencias suenan en cada
# instante) se vuelve una imagen, y una CNN como las de los cuadernos anteriores sabe trabajar con
# imágenes.
#
# Usamos `tinygrad_es.audio` con los nombres de **torchaudio** (el código es el que escribirías con
# PyTorch cambiando sólo las importaciones) y la muestra del *Free Spoken Digit Dataset* incluida en
# el paquete: 120 grabaciones de 6 personas (8 kHz). En este cuaderno:
#
# 1. de la onda al espectrograma: `torch.stft`, `Spectrogram`, `MelSpectrogram`, `AmplitudeToDB`;
# 2. **SpecAugment**: máscaras de frecuencia y de tiempo y deformación temporal;
# 3. una CNN con bloques conv–BN–ReLU–pool, entrenada con y sin SpecAugment, registrando cada
#    entrenamiento con `SummaryWriter` (TensorBoard);
# 4. exactitud, matriz de confusión y Grad-CAM sobre el espectrograma;
# 5. ¿reconoce a alguien a quien no ha oído nunca? (dejar fuera a una persona).

# %%
import tempfile
import time

import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
import tinygrad_es.audio as torchaudio
from tinygrad_es import nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.utils.data import DataLoader, TensorDataset
from tinygrad_es.utils.tensorboard import SummaryWriter
from tinygrad_es.viz.interpret import grad_cam
from tinygrad_es import metrics

torch.manual_seed(0)

# %% [markdown]
# ## 1. Una grabación
#
# `FSDD(sample=True)` da las grabaciones incluidas con la API de los conjuntos de torchaudio: cada
# elemento es `(waveform, sample_rate, dígito, persona, índice)`. La onda es un tensor
# `(canales, muestras)` en [−1, 1]; la partición oficial deja los índices 0–4 para la prueba.

# %%
datos = torchaudio.datasets.FSDD(sample=True)
waveform, sr, digito, persona, indice = datos[7]
print(datos)
print(f"dígito {digito} dicho por {persona}: {waveform.shape[1]} muestras a {sr} Hz = "
      f"{waveform.shape[1] / sr:.2f} s")
t = np.arange(waveform.shape[1]) / sr
fig, ax = plt.subplots(figsize=(9, 2.5), layout="constrained")
ax.plot(t, waveform[0].numpy()); ax.set(xlabel="tiempo (s)", title=f"Forma de onda: «{digito}»");

# %% [markdown]
# ## 2. De la onda al espectrograma
#
# La **STFT** corta la señal en tramas solapadas (aquí de 256 muestras = 32 ms, cada 80 = 10 ms),
# multiplica cada una por una ventana de Hann y le hace la transformada de Fourier. El resultado es
# **complejo**; su módulo al cuadrado es la potencia de cada frecuencia en cada trama. Es la llamada
# de PyTorch, con gradiente:

# %%
ventana = torch.hann_window(256)
S = torch.stft(waveform[0], n_fft=256, hop_length=80, window=ventana, return_complex=True)
potencia = S.abs().pow(2)
print(S.dtype, tuple(S.shape), "→ potencia", tuple(potencia.shape), potencia.dtype)

# lo mismo con el transform de torchaudio
espectrograma = torchaudio.transforms.Spectrogram(n_fft=256, hop_length=80)
print("¿iguales?", np.allclose(espectrograma(waveform)[0].numpy(), potencia.numpy(), rtol=1e-5, atol=1e-6))

# %% [markdown]
# El oído distingue mejor las frecuencias graves que las agudas. La **escala mel** agrupa las
# frecuencias en bandas estrechas abajo y anchas arriba con filtros triangulares, y los decibelios
# (`AmplitudeToDB`) comprimen el enorme rango de potencias.

# %%
mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=256, hop_length=80, n_mels=40, f_min=20.0)
a_db = torchaudio.transforms.AmplitudeToDB(top_db=80.0)
fb = mel.mel_scale.fb.numpy()                                    # (129 frecuencias, 40 bandas)
log_mel = a_db(mel(waveform))[0].numpy()

fig, ax = plt.subplots(1, 3, figsize=(13, 3.6), layout="constrained")
ax[0].imshow(a_db(potencia).numpy(), origin="lower", aspect="auto", cmap="magma")
ax[0].set(title="Espectrograma (dB)", xlabel="trama", ylabel="frecuencia (0–4 kHz)")
ax[1].plot(np.linspace(0, sr / 2, fb.shape[0]), fb[:, ::3])
ax[1].set(title="Filtros mel (uno de cada tres)", xlabel="Hz")
ax[2].imshow(log_mel, origin="lower", aspect="auto", cmap="magma")
ax[2].set(title="Log-mel: 40 bandas", xlabel="trama", ylabel="banda mel");

# %% [markdown]
# ## 3. Todas las grabaciones como imágenes del mismo tamaño
#
# Las grabaciones duran distinto. Recortamos el silencio de los extremos, centramos cada una en
# 1 s (8 000 muestras, rellenando con ceros) y normalizamos cada espectrograma (media 0,
# desviación 1): así todas son imágenes de 40 × 101 y el volumen no importa. `LogMel`, `ajustar` y
# `recortar_silencio` son los de la demo `tinygrad-es demo voz`.

# %%
from tinygrad_es.demos.voz import LogMel, ajustar, recortar_silencio

senales, etiquetas, personas, indices = [], [], [], []
for w, _, d, p, k in datos:
    senales.append(ajustar(recortar_silencio(w.numpy())))
    etiquetas.append(d); personas.append(p); indices.append(k)
senales, y = np.stack(senales), np.array(etiquetas)
personas, indices = np.array(personas), np.array(indices)
with torch.no_grad():
    X = LogMel()(torch.tensor(senales)).numpy()
prueba = indices < 5                                             # la partición oficial
print("entrada de la red:", X.shape, "·", (~prueba).sum(), "de entrenamiento,", prueba.sum(), "de prueba")

# %% [markdown]
# ## 4. SpecAugment
#
# El artículo de SpecAugment (Park et al., 2019) aumenta los datos **sobre el espectrograma**:
# tapa unas bandas de frecuencia (`FrequencyMasking`), unas tramas (`TimeMasking`) y estira el
# tiempo (deformación temporal). La red tiene que reconocer el dígito aunque le falte información,
# así que no puede memorizar un detalle concreto. Con `iid_masks=True` cada ejemplo del lote recibe
# su propia máscara.

# %%
spec_augment = nn.Sequential(torchaudio.transforms.FrequencyMasking(freq_mask_param=8, iid_masks=True),
                             torchaudio.transforms.TimeMasking(time_mask_param=15, iid_masks=True))
lote = torch.tensor(X[:3])
aumentado = spec_augment(lote).numpy()
deformado = torchaudio.transforms.TimeWarp(W=10)(lote).numpy()
fig, ax = plt.subplots(3, 3, figsize=(12, 6), layout="constrained")
for i in range(3):
    for j, (img, titulo) in enumerate([(X[i, 0], "original"), (aumentado[i, 0], "máscaras"),
                                       (deformado[i, 0], "deformación temporal")]):
        ax[i, j].imshow(img, origin="lower", aspect="auto", cmap="magma"); ax[i, j].set_axis_off()
        if i == 0:
            ax[i, j].set_title(titulo)

# %% [markdown]
# ## 5. La red: bloques conv–BN–ReLU–pool
#
# Los bloques de los apuntes: convolución 3×3, *batch normalization*, ReLU y *max pooling* 2×2.
# Tres bloques reducen la imagen de 40 × 101 a 5 × 12 con 64 canales; una media global y una capa
# lineal dan las 10 clases.

# %%
def bloque(entrada, salida):
    return nn.Sequential(nn.Conv2d(entrada, salida, 3, padding=1, bias=False), nn.BatchNorm2d(salida),
                         nn.ReLU(), nn.MaxPool2d(2))


def red():
    return nn.Sequential(bloque(1, 16), bloque(16, 32), bloque(32, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(64, 10))


def entrenar(aumento, epocas=8, writer=None):
    torch.manual_seed(0)
    modelo = red()
    opt = optim.Adam(modelo.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(0)
    cargador = DataLoader(TensorDataset(torch.tensor(X[~prueba]), torch.tensor(y[~prueba])), batch_size=16,
                          shuffle=True, generator=g)
    for epoca in range(epocas):
        modelo.train()
        for xb, yb in cargador:
            if aumento is not None:
                xb = aumento(xb)
            perdida = F.cross_entropy(modelo(xb), yb)
            opt.zero_grad(); perdida.backward(); opt.step()
        modelo.eval()
        with torch.no_grad():
            exactitud = (modelo(torch.tensor(X[prueba])).argmax(1).numpy() == y[prueba]).mean()
        if writer is not None:
            writer.add_scalar("pérdida/entrenamiento", perdida.item(), epoca)
            writer.add_scalar("exactitud/prueba", exactitud, epoca)
    return modelo, exactitud


print(red())

# %% [markdown]
# ## 6. Con y sin SpecAugment, registrado para TensorBoard
#
# `SummaryWriter` es el de PyTorch: cada `add_scalar` guarda un punto de una curva en un fichero de
# eventos de TensorBoard. Con `tensorboard --logdir <carpeta>` se ven los entrenamientos en directo
# (y se pueden detener si van mal).
#
# Aquí sólo hay 60 grabaciones de entrenamiento y unas pocas épocas: la red apenas empieza a aprender
# y el resultado cambia mucho de una semilla a otra. Es el mismo código que, con las 2 700 grabaciones
# del FSDD completo, da más del 99 % (`tinygrad-es demo voz`, `benchmarks/voz.py`).

# %%
carpeta = tempfile.mkdtemp(prefix="runs_voz_")
for nombre, aumento in [("sin_specaugment", None), ("con_specaugment", spec_augment)]:
    t0 = time.perf_counter()
    with SummaryWriter(f"{carpeta}/{nombre}") as writer:
        _, acc = entrenar(aumento, writer=writer)
    print(f"{nombre}: exactitud en la prueba {100 * acc:.1f} %  ({time.perf_counter() - t0:.1f} s)")
print("eventos de TensorBoard en", carpeta)

# %% [markdown]
# Los eventos se leen con el lector del propio TensorBoard:

# %%
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
for nombre in ("sin_specaugment", "con_specaugment"):
    ea = EventAccumulator(f"{carpeta}/{nombre}"); ea.Reload()
    puntos = ea.Scalars("exactitud/prueba")
    ax.plot([p.step for p in puntos], [p.value for p in puntos], marker="o", label=nombre)
ax.set(xlabel="época", ylabel="exactitud en la prueba", title="Curvas leídas de los ficheros de eventos")
ax.legend();

# %% [markdown]
# ## 7. La red entrenada con el FSDD completo
#
# El paquete trae la `RedVoz` que usa la página «Di un dígito» (`tinygrad-es web`, `/voz`): la misma
# arquitectura, entrenada por `python -m tinygrad_es.web.entrenar_voz` con las 2 700 grabaciones de
# entrenamiento del FSDD y SpecAugment. Las 60 grabaciones de prueba de la muestra son de la prueba
# oficial: la red no las oyó al entrenar.
#
# **Grad-CAM** pondera los mapas de la última convolución por su gradiente respecto de la clase
# predicha: en rojo, las bandas y tramas del espectrograma que más pesaron en la decisión.

# %%
from tinygrad_es.demos.voz import RedVoz
from tinygrad_es.web.voz import PESOS_VOZ

modelo = RedVoz()
modelo.load_state_dict(dict(np.load(PESOS_VOZ)))
modelo.eval()
with torch.no_grad():
    pred = modelo(torch.tensor(X[prueba])).argmax(1).numpy()
print(f"exactitud en las 60 grabaciones de prueba: {100 * (pred == y[prueba]).mean():.1f} %")
cm = metrics.confusion_matrix(y[prueba], pred, labels=list(range(10)))
i = 4
mapa = grad_cam(modelo, X[prueba][i:i + 1], target=int(pred[i]))[0]
fig, ax = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
ax[0].imshow(cm, cmap="Blues"); ax[0].set(title="Matriz de confusión (prueba)", xlabel="predicho", ylabel="real")
ax[1].imshow(X[prueba][i, 0], origin="lower", aspect="auto", cmap="gray")
ax[1].imshow(mapa, origin="lower", aspect="auto", cmap="jet", alpha=0.45)
ax[1].set(title=f"Grad-CAM: dicho {y[prueba][i]}, predicho {pred[i]}", xlabel="trama", ylabel="banda mel");

# %% [markdown]
# ## 8. ¿Y con una voz nueva?
#
# La prueba oficial del FSDD tiene a las mismas 6 personas que el entrenamiento: la red ya conoce
# sus voces. La pregunta que debe responder un informe es más dura: entrenar **sin** una persona y
# probar sólo con ella (*leave one speaker out*). Así se hace la partición; con la muestra, y pocas
# épocas, sólo sirve de ejemplo: con el FSDD completo, `tinygrad-es demo voz --hablantes` repite el
# entrenamiento dejando fuera a cada una de las 6 personas.

# %%
fuera = personas == "theo"
print(f"entrenamiento: {(~fuera).sum()} grabaciones de {', '.join(sorted(set(personas[~fuera].tolist())))}")
print(f"prueba: las {fuera.sum()} grabaciones de theo")
torch.manual_seed(0)
modelo_loso = red()
opt = optim.Adam(modelo_loso.parameters(), lr=3e-3)
cargador = DataLoader(TensorDataset(torch.tensor(X[~fuera]), torch.tensor(y[~fuera])), batch_size=16, shuffle=True,
                      generator=torch.Generator().manual_seed(0))
for epoca in range(8):
    modelo_loso.train()
    for xb, yb in cargador:
        perdida = F.cross_entropy(modelo_loso(spec_augment(xb)), yb)
        opt.zero_grad(); perdida.backward(); opt.step()
modelo_loso.eval()
with torch.no_grad():
    acc_theo = (modelo_loso(torch.tensor(X[fuera])).argmax(1).numpy() == y[fuera]).mean()
print(f"exactitud con la voz de theo, que la red no ha oído nunca: {100 * acc_theo:.1f} %")
