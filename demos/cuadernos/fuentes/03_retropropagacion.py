# %% [markdown]
# # 3. Retropropagación: la regla de la cadena, paso a paso
#
# Empezamos con el ejemplo de los apuntes, $f(x, y, z) = (x + y)\,z$ en $(2, 3, 4)$, con el
# motor escalar `Value`: cada operación guarda sus operandos y su derivada local, y
# `backward()` recorre el grafo al revés multiplicando derivadas.
#
# Después pasamos a la **forma matricial** con tensores: la misma regla, pero con matrices,
# transpuestas, sumas sobre el lote y productos elemento a elemento. En los dos casos
# `explain_backward` cuenta el `backward()` de verdad mientras se ejecuta.

# %%
import numpy as np

import tinygrad_es as torch
from tinygrad_es import Tensor, Value
from tinygrad_es.viz import draw_graph, explain_backward

x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
print(f"hacia delante: q = x + y = {q.data:g},  f = q·z = {f.data:g}")
draw_graph(f)

# %% [markdown]
# Antes de `backward()` ningún gradiente está calculado. La explicación recorre los nodos en
# orden topológico inverso: en cada operación escribe la derivada local de cada operando, en
# símbolos y con números ($\partial f/\partial q = z = 4$), y la multiplica por el gradiente
# que llega de arriba.

# %%
explicacion = explain_backward(f)     # también ejecuta la retropropagación
print(explicacion)
print(f"\n∂f/∂x = {x.grad:g}, ∂f/∂y = {y.grad:g}, ∂f/∂z = {z.grad:g}")

# %%
draw_graph(f)        # ahora con todos los gradientes

# %% [markdown]
# Cada paso tiene su diapositiva: el nodo del paso resaltado y sólo los gradientes que ya se
# conocen en ese momento (`explicacion.save_frames("pasos/")` las guarda como SVG o PNG).

# %%
fotogramas = explicacion.frames()
fotogramas[2]

# %% [markdown]
# ### Comprobación numérica
#
# La derivada es el límite de $\frac{f(x+h) - f(x-h)}{2h}$; con $h$ pequeño tiene que salir lo
# mismo que con la regla de la cadena.

# %%
def f_num(x, y, z):
    return (x + y) * z

h = 1e-6
print("∂f/∂x ≈", (f_num(2 + h, 3, 4) - f_num(2 - h, 3, 4)) / (2 * h))
print("∂f/∂z ≈", (f_num(2, 3, 4 + h) - f_num(2, 3, 4 - h)) / (2 * h))

# %% [markdown]
# ### Una neurona: $a = \tanh(w_1 x_1 + w_2 x_2 + b)$
#
# La derivada local de la tangente hiperbólica es $1 - \tanh^2$: es lo que multiplica al
# gradiente cuando atraviesa la activación.

# %%
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.88, "b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
a = n.tanh()
a.label = "a"
print(explain_backward(a))
draw_graph(a)

# %% [markdown]
# ## Forma matricial
#
# Una red 3-5-2 sobre un lote de $N = 4$ ejemplos, con la convención de los apuntes
# ($Z = X W + b$, los pesos con forma entrada × salida), sigmoide en la capa oculta y
# entropía cruzada:
#
# $$Z_1 = X W_1 + b_1,\; H_1 = \sigma(Z_1),\; Z_2 = H_1 W_2 + b_2,\; L = \mathrm{CE}(Z_2, y)$$
#
# Con $\delta = \partial L / \partial Z$, las ecuaciones de la retropropagación son:
#
# | gradiente | fórmula | formas |
# |---|---|---|
# | $\delta_2$ | $(\mathrm{softmax}(Z_2) - \mathrm{one\_hot}(y)) / N$ | 4×2 |
# | $\partial L/\partial W_2$ | $H_1^\top \delta_2$ | (5×4)·(4×2) → 5×2 |
# | $\partial L/\partial b_2$ | $\sum_{\text{lote}} \delta_2$ | 2 |
# | $\delta_1$ | $(\delta_2 W_2^\top) \odot \sigma'(Z_1)$, con $\sigma' = \sigma(1-\sigma)$ | (4×2)·(2×5) → 4×5 |
# | $\partial L/\partial W_1$ | $X^\top \delta_1$ | (3×4)·(4×5) → 3×5 |
# | $\partial L/\partial b_1$ | $\sum_{\text{lote}} \delta_1$ | 5 |
#
# El sesgo se suma a cada fila del lote (*broadcasting*), así que su gradiente es la suma de
# las filas de δ. Damos nombre a cada tensor (`.name`) para que la explicación los use.

# %%
import tinygrad_es.nn.functional as F

rng = np.random.default_rng(0)
X = torch.tensor(rng.normal(size=(4, 3)), dtype=torch.float64)
y = torch.tensor([0, 1, 1, 0])
W1 = torch.tensor(rng.normal(size=(3, 5)), dtype=torch.float64, requires_grad=True)
b1 = torch.zeros(5, dtype=torch.float64, requires_grad=True)
W2 = torch.tensor(rng.normal(size=(5, 2)), dtype=torch.float64, requires_grad=True)
b2 = torch.zeros(2, dtype=torch.float64, requires_grad=True)
for t, nombre in ((X, "X"), (W1, "W₁"), (b1, "b₁"), (W2, "W₂"), (b2, "b₂")):
    t.name = nombre

Z1 = X @ W1 + b1
H1 = torch.sigmoid(Z1)
Z2 = H1 @ W2 + b2
Z1.name, H1.name, Z2.name = "z₁", "h₁", "z₂"
L = F.cross_entropy(Z2, y)
print(f"L = {L.item():.4f}")

# %% [markdown]
# `explain_backward(L)` ejecuta `L.backward()` y lo va contando **mientras ocurre**: el motor
# avisa en cada paso y la explicación escribe la regla de esa operación en forma matricial, con
# las formas, las transpuestas, las sumas del broadcasting (Σ) y los productos elemento a
# elemento (⊙). (`u₁`, `u₂` son los productos $XW_1$ y $H_1W_2$, que no tienen nombre.)

# %%
explicacion = explain_backward(L)
print(explicacion)

# %% [markdown]
# Los gradientes que muestra son los que `backward()` ha dejado en `.grad`. Las mismas cuentas
# a mano con numpy, siguiendo la tabla:

# %%
h1, z2 = H1.detach().numpy(), Z2.detach().numpy()
p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
d2 = (p - np.eye(2)[y.numpy()]) / 4                        # δ2: 4×2
gW2 = h1.T @ d2                                             # (5×4)·(4×2) → 5×2
gb2 = d2.sum(axis=0)                                        # suma sobre el lote
d1 = (d2 @ W2.detach().numpy().T) * h1 * (1 - h1)           # (4×2)·(2×5) → 4×5, ⊙ σ'(Z1)
gW1 = X.numpy().T @ d1                                      # (3×4)·(4×5) → 3×5
gb1 = d1.sum(axis=0)
for nombre, mano, t in (("W₂", gW2, W2), ("b₂", gb2, b2), ("W₁", gW1, W1), ("b₁", gb1, b1)):
    print(f"∂L/∂{nombre}: forma {mano.shape}, igual que backward(): {np.allclose(mano, t.grad.numpy())}")

# %% [markdown]
# Y cada paso tiene su fotograma, como en el ejemplo escalar (aquí el paso del producto
# $H_1 W_2$, con el nodo resaltado):

# %%
explicacion.frames(rankdir="TB")[3]

# %% [markdown]
# ## Softmax y entropía cruzada
#
# Con $\hat y = \mathrm{softmax}(z)$ y $L = -\sum_i y_i \ln \hat y_i$ (con $y$ en *one-hot*), la
# derivada respecto de los *logits* es simplemente $\hat y - y$: la misma resta que en el MSE.

# %%
import tinygrad_es.nn.functional as F

logits = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([0]))
loss.backward()
p = torch.softmax(logits, dim=1).detach().numpy()
print("softmax: ", np.round(p, 4))
print("ŷ − y:   ", np.round(p - np.array([[1, 0, 0]]), 4))
print("backward:", np.round(logits.grad.numpy(), 4))
