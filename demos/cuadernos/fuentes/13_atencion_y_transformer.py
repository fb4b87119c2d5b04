# %% [markdown]
# # 13. Atención y Transformer: un MiniGPT que escribe como el Quijote
#
# Una RNN resume todo lo leído en un único vector $h_t$. La **atención** deja que cada
# posición mire directamente a todas las anteriores y decida a cuáles hacer caso:
#
# $$\mathrm{Atención}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V$$
#
# Cada posición emite una **consulta** $q$ ("qué busco"), una **clave** $k$ ("qué ofrezco") y un
# **valor** $v$ ("qué doy si me eligen"). Los pesos de la fila $i$ dicen cuánto mira la
# posición $i$ a cada una de las demás. Con esto y poco más se construye el Transformer de
# GPT: aquí uno de ~1 M de parámetros entrenado en la CPU.

# %%
import inspect
import os

import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import nn
import tinygrad_es.nn.functional as F
from tinygrad_es.data import CharTokenizer, load_quijote, quijote_excerpt, DatasetNotFoundError
from tinygrad_es.textgen import MiniGPT, CausalSelfAttention, Block, generate, train_language_model, evaluate_loss
from tinygrad_es.viz import plots

RAPIDO = os.environ.get("TINYGRAD_ES_RAPIDO") == "1"   # los tests: tamaños pequeños
torch.manual_seed(0)

# %% [markdown]
# ## La atención a mano
#
# Cuatro posiciones con vectores de dimensión 3. Calculamos las puntuaciones $QK^\top/\sqrt{d}$,
# el softmax de cada fila y la media ponderada de los valores, y lo comparamos con
# `F.scaled_dot_product_attention`, la función de PyTorch.

# %%
Q = torch.tensor([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
K = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
V = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [5.0, 5.0]])
d = Q.shape[-1]
puntuaciones = Q @ K.T / d ** 0.5
pesos = torch.softmax(puntuaciones, dim=-1)
salida = pesos @ V
print("pesos (cada fila suma 1):\n", pesos)
print("salida a mano:\n", salida)
print("¿igual que F.scaled_dot_product_attention?",
      torch.allclose(salida, F.scaled_dot_product_attention(Q, K, V)))

# %% [markdown]
# En un modelo de lenguaje, la posición $i$ no puede mirar al futuro (sería hacer trampa:
# tiene que *predecirlo*). La **máscara causal** pone $-\infty$ en las puntuaciones de las
# posiciones posteriores, y el softmax les da peso 0: la matriz de pesos queda triangular.

# %%
mascara = torch.tril(torch.ones(4, 4)) == 0              # True = prohibido
causal = torch.softmax(puntuaciones.masked_fill(mascara, float("-inf")), dim=-1)
print("¿igual que is_causal=True?", torch.allclose(causal @ V, F.scaled_dot_product_attention(Q, K, V, is_causal=True)))
plots.attention_map(torch.stack([pesos, causal]), rows=list("abcd"), cols=list("abcd"),
                    title="Sin máscara (cabeza 0) y causal (cabeza 1)");

# %% [markdown]
# ## Varias cabezas: `nn.MultiheadAttention`
#
# Varias atenciones en paralelo, cada una con sus proyecciones $W_Q, W_K, W_V$ de un trozo de la
# dimensión: cada cabeza puede fijarse en algo distinto. Sus salidas se concatenan y se
# proyectan. Es la capa de PyTorch, con sus nombres (`in_proj_weight`, `out_proj`…).

# %%
mha = nn.MultiheadAttention(embed_dim=16, num_heads=4, batch_first=True)
x = torch.randn(2, 6, 16)                                   # (lote, posiciones, dimensión)
salida, pesos_medios = mha(x, x, x, attn_mask=nn.Transformer.generate_square_subsequent_mask(6))
print(salida.shape, pesos_medios.shape)
print([nombre for nombre, _ in mha.named_parameters()])

# %% [markdown]
# ## MiniGPT
#
# Un GPT es una pila de bloques iguales. Cada bloque: autoatención causal con conexión
# residual y después una red de dos capas, con `LayerNorm` antes de cada una (como GPT-2).
# Este es el código de la atención y del bloque que usamos:

# %%
print(inspect.getsource(CausalSelfAttention.forward))
print(inspect.getsource(Block))

# %% [markdown]
# ## Datos y entrenamiento
#
# Ventanas de texto al azar: la entrada son los caracteres $0..T-1$ y el objetivo los
# $1..T$. Una sola pasada predice a la vez el siguiente carácter de **todas** las posiciones
# (gracias a la máscara causal, cada una sólo ve su pasado).

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
torch.manual_seed(0)
if RAPIDO:
    gpt = MiniGPT(len(tok), block_size=32, n_embd=32, n_head=2, n_layer=2)
    pasos, lote = 40, 8
else:
    gpt = MiniGPT(len(tok), block_size=128, n_embd=128, n_head=4, n_layer=5)
    pasos, lote = 1500, 16
n_parametros = f"{sum(p.numel() for p in gpt.parameters()):_}".replace("_", ".")
print(f"MiniGPT: {n_parametros} parámetros; contexto de {gpt.block_size} caracteres")
perdidas = train_language_model(gpt, ids[:corte], steps=pasos, block_size=gpt.block_size, batch_size=lote,
                                lr=1e-3)
val = evaluate_loss(gpt, ids[corte:], gpt.block_size, lote)
print(f"pérdida de validación: {val:.3f} nats/carácter (al azar: {np.log(len(tok)):.2f})")

# %%
fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
ax.plot(perdidas, lw=0.7, label="entrenamiento")
ax.axhline(val, color="C3", ls="--", label="validación al final")
ax.set_xlabel("paso")
ax.set_ylabel("nats por carácter")
ax.legend();

# %% [markdown]
# ## Generar con temperatura y top-k
#
# Como con la LSTM: muestrear el siguiente carácter, añadirlo y repetir (recortando el
# contexto a los últimos `block_size` caracteres). Con `top_k` sólo se elige entre los $k$
# caracteres más probables (`torch.topk`): evita las rarezas de la cola de la distribución.

# %%
for temperatura, k in ((0.6, None), (0.9, None), (1.0, 10)):
    print(f"--- temperatura {temperatura}" + (f", top_k = {k}" if k else "") + " ---")
    print(generate(gpt, tok, "En un lugar de la Mancha", 120 if RAPIDO else 300, temperature=temperatura,
                   top_k=k, seed=2))
    print()

# %% [markdown]
# ## Qué mira cada cabeza
#
# `attention_maps` devuelve los pesos de atención de cada bloque para una frase. Cada fila es
# un carácter que predice el siguiente y cada columna un carácter anterior al que puede mirar.
# Algunas cabezas miran al carácter anterior, otras al principio de la palabra, a los espacios…

# %%
frase = "dijo don Quijote a Sancho"[:gpt.block_size]
idx = torch.tensor([tok.encode(frase)])
mapas = gpt.attention_maps(idx)
plots.attention_map(mapas[-1][0], rows=list(frase), cols=list(frase),
                    title=f"Atención del último bloque ({len(mapas)} bloques, {mapas[-1].shape[1]} cabezas)");
