# %% [markdown]
# # 12. Redes recurrentes: RNN, LSTM y la retropropagación a través del tiempo
#
# Una red recurrente lee una secuencia paso a paso y guarda lo leído en un **estado** $h_t$:
#
# $$h_t = \tanh(W_{ih}\,x_t + b_{ih} + W_{hh}\,h_{t-1} + b_{hh})$$
#
# Los mismos pesos sirven en todos los pasos. Para entrenarla se **desenrolla** en el tiempo:
# queda una red profunda, con una capa por paso, que comparte sus pesos. La retropropagación
# por esa red desenrollada se llama *retropropagación a través del tiempo* (BPTT).
#
# Al final entrenamos una LSTM que aprende a escribir como el *Quijote*, carácter a carácter.
# Todo con la API de PyTorch: `nn.RNNCell`, `nn.LSTM`, `nn.Embedding`, `F.cross_entropy` y
# `torch.multinomial`.

# %%
import os

import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import nn
import tinygrad_es.nn.functional as F
from tinygrad_es.data import CharTokenizer, load_quijote, quijote_excerpt, DatasetNotFoundError
from tinygrad_es.textgen import CharLSTM, generate, train_language_model, evaluate_loss
from tinygrad_es.viz import draw_graph
from tinygrad_es.viz.bptt import backprop_through_time, unroll

# Con TINYGRAD_ES_RAPIDO=1 (los tests) todo es más pequeño: el cuaderno termina en segundos
RAPIDO = os.environ.get("TINYGRAD_ES_RAPIDO") == "1"
torch.manual_seed(0)

# %% [markdown]
# ## Una RNN desenrollada
#
# Una celda `nn.RNNCell(entrada, estado)` hace un paso. Aplicada tres veces sobre una secuencia
# de tres vectores queda este grafo: la **misma** `weight_hh` (y `weight_ih`) entra en los tres
# pasos.

# %%
celda = nn.RNNCell(2, 3)
x = torch.randn(3, 1, 2)          # 3 pasos, lote de 1, 2 características
estados = unroll(celda, x)        # [h_1, h_2, h_3]
draw_graph(estados[-1], names=celda)

# %% [markdown]
# Como cada paso usa los mismos pesos, el gradiente de un peso es la **suma** de lo que le
# llega de cada paso: $\partial L/\partial W_{hh} = \sum_t \partial L/\partial W_{hh}^{(t)}$.
# `backprop_through_time` ejecuta el `backward()` de verdad, lo observa y separa esas
# aportaciones.

# %%
celda = nn.RNNCell(4, 16)
informe = backprop_through_time(celda, torch.randn(12, 1, 4), loss="all")
aportes = informe.weight_norms["weight_hh"]
print("‖aportación de cada paso a ∂L/∂W_hh‖:", np.round(aportes, 3))
suma = sum(informe.weight_grads["weight_hh"])
print("¿la suma es el gradiente que queda en .grad?", np.allclose(suma, celda.weight_hh.grad.numpy(), atol=1e-6))

# %% [markdown]
# ## El gradiente que se desvanece
#
# Con la pérdida en el último paso, el gradiente que llega al paso $t$ es un producto de
# jacobianos $\partial h_{k}/\partial h_{k-1} = \mathrm{diag}(1 - h_k^2)\,W_{hh}$, uno por cada
# paso que hay que retroceder. Si sus normas son menores que 1, el producto **decrece
# exponencialmente**: la red no puede aprender dependencias largas. La LSTM suma (en lugar de
# multiplicar) la información en su celda $c_t = f_t \odot c_{t-1} + i_t \odot g_t$ y el
# gradiente llega mucho más lejos.

# %%
T = 40
x = torch.randn(T, 1, 8)
normas = {}
for nombre, Celda in (("RNN (tanh)", nn.RNNCell), ("GRU", nn.GRUCell), ("LSTM", nn.LSTMCell)):
    torch.manual_seed(1)
    c = Celda(8, 32)
    normas[nombre] = backprop_through_time(c, x, loss="last").grad_norms
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for nombre, n in normas.items():
    ax.semilogy(range(1, T + 1), n / n[-1], "o-", ms=3, label=nombre)
ax.set_xlabel("paso t")
ax.set_ylabel("‖∂L/∂h_t‖ / ‖∂L/∂h_T‖")
ax.set_title("Gradiente que llega a cada paso (pérdida en el último)")
ax.legend();

# %% [markdown]
# ## Los datos: el Quijote, carácter a carácter
#
# Si el texto completo está en el ordenador (`load_quijote` lo busca en `TINYGRAD_ES_DATA` y
# en `~/.cache/tinygrad_es`, o lo descarga con `download=True`) lo usamos; si no, los ocho
# capítulos que vienen con el paquete. Cada carácter distinto recibe un índice.

# %%
try:
    texto = load_quijote(download=False)
except DatasetNotFoundError:
    texto = quijote_excerpt()
if RAPIDO:
    texto = texto[:60_000]
tok = CharTokenizer(texto)
ids = np.array(tok.encode(texto))
corte = int(0.95 * len(ids))
print(f"{len(texto):_} caracteres; {len(tok)} distintos".replace("_", "."))
print("vocabulario:", "".join(tok.itos).replace("\n", "⏎"))
print("«En un lugar» →", tok.encode("En un lugar"))

# %% [markdown]
# ## Una LSTM que predice el siguiente carácter
#
# `CharLSTM` = `nn.Embedding` → `nn.LSTM` de dos capas → `nn.Linear` a un logit por carácter.
# Se entrena con ventanas de texto: en cada posición, la entropía cruzada de predecir el
# carácter que sigue. Al principio la pérdida es $\ln V$ (adivinar al azar entre $V$
# caracteres).

# %%
torch.manual_seed(0)
if RAPIDO:
    modelo = CharLSTM(len(tok), embed_dim=16, hidden_size=48, num_layers=1)
    pasos, contexto, lote = 60, 32, 16
else:
    modelo = CharLSTM(len(tok), embed_dim=64, hidden_size=256, num_layers=2)
    pasos, contexto, lote = 1500, 100, 32
print(modelo)
print(f"{sum(p.numel() for p in modelo.parameters()):_} parámetros".replace("_", "."))
perdidas = train_language_model(modelo, ids[:corte], steps=pasos, block_size=contexto, batch_size=lote, lr=3e-3)
val = evaluate_loss(modelo, ids[corte:], contexto, lote)
print(f"pérdida de validación: {val:.3f} nats/carácter (al azar: {np.log(len(tok)):.2f})")

# %%
fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
ax.plot(perdidas, lw=0.7, label="entrenamiento")
ax.axhline(np.log(len(tok)), color="gray", ls=":", label="al azar: ln V")
ax.axhline(val, color="C3", ls="--", label="validación al final")
ax.set_xlabel("paso")
ax.set_ylabel("nats por carácter")
ax.legend();

# %% [markdown]
# ## Escribir como Cervantes
#
# Para generar, el modelo da la distribución del siguiente carácter, **muestreamos** uno con
# `torch.multinomial`, lo añadimos y repetimos (el estado $(h, c)$ de la LSTM lleva el
# contexto). La **temperatura** divide los logits antes del softmax: baja (0,5) elige casi
# siempre lo más probable (texto correcto pero repetitivo); alta (1,2) se arriesga más.

# %%
for temperatura in (0.5, 0.8, 1.2):
    print(f"--- temperatura {temperatura} ---")
    print(generate(modelo, tok, "En un lugar de la Mancha", 120 if RAPIDO else 300, temperature=temperatura,
                   seed=1))
    print()

# %% [markdown]
# ## Secuencias de longitudes distintas
#
# En un lote real las frases miden distinto. `pack_padded_sequence` empaqueta el lote
# rellenado con las longitudes reales: la LSTM no procesa el relleno y su `h_n` es el estado
# tras el último carácter **real** de cada frase.

# %%
from tinygrad_es.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

frases = ["sancho", "don quijote", "rocinante"]
secuencias = [modelo.embed(torch.tensor(tok.encode(f))) for f in frases]
lote = pad_sequence(secuencias, batch_first=True)          # (3, 11, E), con ceros al final
empaquetado = pack_padded_sequence(lote, [len(f) for f in frases], batch_first=True, enforce_sorted=False)
salida, (h_n, c_n) = modelo.lstm(empaquetado)
rellenada, longitudes = pad_packed_sequence(salida, batch_first=True)
print("batch_sizes:", empaquetado.batch_sizes.tolist(), " longitudes:", longitudes.tolist())
sola, (h_sola, _) = modelo.lstm(secuencias[0].unsqueeze(0))
print("¿h_n de «sancho» en el lote = procesada sola?", np.allclose(h_n[:, 0].detach().numpy(),
                                                                     h_sola[:, 0].detach().numpy(), atol=1e-6))
