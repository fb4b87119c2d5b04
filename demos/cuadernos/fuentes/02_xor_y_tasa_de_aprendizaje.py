# %% [markdown]
# # 2. XOR con una capa oculta, y la tasa de aprendizaje
#
# Un perceptrón no puede con XOR. Con una **capa oculta** de dos neuronas sigmoides, la red
# transforma el plano de entrada en otro donde los dos grupos sí se separan con una recta.
#
# La red de los apuntes es 2-2-1 con sigmoide en las dos capas y error cuadrático medio:
#
# $$Z_1 = X W_1 + b_1,\quad A_1 = \sigma(Z_1),\quad Z_2 = A_1 W_2 + b_2,\quad \hat y = \sigma(Z_2)$$
#
# La escribimos igual que en PyTorch: `nn.Sequential`, `loss.backward()`, `optimizer.step()`.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.viz import plots

X = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
y = Tensor([[0], [1], [1], [0]])


def entrenar(lr, epocas=3000, semilla=1):
    """Entrena una red 2-2-1 sigmoide con descenso del gradiente; devuelve la red y el MSE por época."""
    torch.manual_seed(semilla)
    red = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    optimizer = optim.SGD(red.parameters(), lr=lr)
    errores = []
    for _ in range(epocas):
        loss = F.mse_loss(red(X), y)    # hacia delante y error
        optimizer.zero_grad()           # borra los gradientes del paso anterior
        loss.backward()                 # retropropagación: regla de la cadena
        optimizer.step()                # w ← w − η·∂L/∂w
        errores.append(loss.item())
    return red, errores


red, errores = entrenar(lr=2.0, epocas=2000)
with torch.no_grad():
    salida = red(X).numpy()[:, 0]
for entrada, s in zip(X.numpy().astype(int).tolist(), salida):
    print(f"{entrada} -> {s:.3f} -> {int(s > 0.5)}")
print(f"error final: {errores[-1]:.5f}")

# %% [markdown]
# ## Qué hace la capa oculta
#
# A la izquierda, la salida de la red en todo el cuadrado $[−0.5, 1.5]^2$: la frontera ya no es
# una recta. A la derecha, los cuatro puntos vistos por la capa oculta ($A_1$): en ese nuevo
# plano (0,1) y (1,0) quedan a un lado y (0,0) y (1,1) al otro, así que a la neurona de salida le
# basta una recta.

# %%
rejilla = np.linspace(-0.5, 1.5, 150)
G = np.stack(np.meshgrid(rejilla, rejilla), -1).reshape(-1, 2)
with torch.no_grad():
    superficie = red(Tensor(G)).numpy().reshape(150, 150)
    oculta = red[1](red[0](X)).numpy()         # A1 = σ(X W1 + b1)
colores = ["C0" if v == 0 else "C3" for v in y.numpy()[:, 0]]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
cs = axes[0].contourf(rejilla, rejilla, superficie, levels=20, cmap="RdBu_r", vmin=0, vmax=1)
axes[0].contour(rejilla, rejilla, superficie, levels=[0.5], colors="k")
axes[0].scatter(*X.numpy().T, c=colores, s=150, edgecolors="k")
axes[0].set_title("salida de la red (línea negra: 0.5)"); axes[0].set_xlabel("x₁"); axes[0].set_ylabel("x₂")
fig.colorbar(cs, ax=axes[0])
axes[1].scatter(*oculta.T, c=colores, s=150, edgecolors="k")
for (a, b), txt, d in zip(oculta, ["(0,0)", "(0,1)", "(1,0)", "(1,1)"], [(-45, -18), (8, 8), (8, 8), (8, 8)]):
    axes[1].annotate(txt, (a, b), textcoords="offset points", xytext=d)
axes[1].set_xlim(-0.15, 1.15); axes[1].set_ylim(-0.15, 1.15)
axes[1].set_title("los 4 puntos en la capa oculta"); axes[1].set_xlabel("neurona oculta 1")
axes[1].set_ylabel("neurona oculta 2");

# %% [markdown]
# ## La tasa de aprendizaje η
#
# Misma red, mismos pesos iniciales, tres tasas de aprendizaje. Con η pequeña la red apenas se
# mueve de la meseta del error 0.25 (responder siempre 0.5); con η intermedia hay una meseta y
# luego una caída brusca cuando «entiende» XOR; con η grande baja muy deprisa, aunque en otros
# problemas (o con otra semilla) un paso tan largo puede hacer que oscile.

# %%
curvas = {}
for lr in (10.0, 0.5, 0.05):
    _, e = entrenar(lr, epocas=3000)
    curvas[f"η = {lr:g}"] = e
    print(f"η = {lr:<5g} error en las épocas 1, 300, 1500 y 3000: "
          + ", ".join(f"{e[i]:.4f}" for i in (0, 299, 1499, 2999)))
plots.lr_comparison(curvas, ylabel="error cuadrático medio", title="XOR 2-2-1: efecto de η");

# %% [markdown]
# ## Mínimos locales
#
# Los pesos iniciales son aleatorios y a veces la red arranca en una zona desafortunada y se
# queda en la meseta. Cambiando sólo la semilla (η = 2, 1500 épocas):

# %%
for semilla in range(5):
    _, e = entrenar(2.0, epocas=1500, semilla=semilla)
    print(f"semilla {semilla}: error final {e[-1]:.4f}" + ("   <- atascada" if e[-1] > 0.1 else ""))

# %% [markdown]
# **Prueba:** pon 3 neuronas ocultas (`nn.Linear(2, 3)`, `nn.Linear(3, 1)`) y repite el estudio
# de semillas: ¿se atasca menos?
